"""Words that must not be left on a voicemail: what they reveal to whoever hears it.

Used by voicemail-content (and open to any rule that wants the same list). Each
category lists the terms that, said out loud on a shared phone, tell a
household member, a new owner of the number or a colleague something about
the person they had no right to know (ICO leaflet point 5: treat data in
confidence). The list covers every UK GDPR special category (Article 9: racial
or ethnic origin, political opinions, religious or philosophical beliefs, trade
union membership, genetic data, biometric data, health, sex life, sexual
orientation) and criminal-offence data (Article 10), in the words councils and
NHS services actually say, service names included ("sexual health clinic",
"memory assessment", "youth offending team"), plus what councils treat as
confidential besides: debts, benefits, safeguarding, domestic abuse, housing.

Terms are matched case-insensitively on whole words, with a plural ``s`` or
``es`` allowed after them; inflections that are not plurals (``owed``,
``evicted``) are listed explicitly. Words that are also everyday words, place or
street names are listed only inside a phrase that is unambiguous: not ``race``
(race night) but ``racial``; not ``church`` (Church Lane) but ``place of
worship``; not ``alcohol`` (an alcohol licence) but ``drug and alcohol``; not
``union`` but ``trade union``; Welsh ``prawf`` is also "test", so only
``gwasanaeth prawf`` (probation service); ``llys`` names many buildings, so
only ``llys ynadon`` (magistrates' court).

Welsh terms (for bilingual scripts in Wales) are listed in their radical form;
their initial mutations (``dyled`` -> ``ddyled``, ``nyled``; ``canser`` ->
``ganser``, ``nghanser``, ``chanser``) are added by :func:`welsh_mutations`.
"""

from __future__ import annotations

from collections.abc import Mapping

# category -> terms. The category is what a finding says the term reveals.
DEFAULT_SENSITIVE_TERMS: Mapping[str, tuple[str, ...]] = {
    "debts or arrears": (
        "arrears", "debt", "in debt", "overdue", "owe", "owed", "owing", "bailiff",
        "enforcement agent", "summons", "liability order", "debt collector",
        "final demand", "county court judgment", "CCJ", "council tax arrears",
        "housing benefit arrears", "rent arrears", "overpayment", "debt advice",
        "debt relief order", "bankruptcy", "bankrupt", "IVA", "individual voluntary arrangement",
        "food bank", "foodbank", "hardship fund", "hardship payment", "crisis payment",
    ),
    "benefits": (
        "benefit", "universal credit", "housing benefit", "council tax reduction",
        "council tax support", "PIP", "personal independence payment", "ESA",
        "employment and support allowance", "JSA", "jobseeker's allowance",
        "pension credit", "disability living allowance", "DLA", "attendance allowance",
        "carer's allowance", "discretionary housing payment", "free school meals",
        "income support", "child tax credit", "working tax credit", "tax credits",
    ),
    "health": (
        "diagnosis", "diagnosed", "mental health", "hospital", "GP", "medication",
        "disability", "disabled", "pregnancy", "pregnant", "dementia", "cancer", "HIV",
        "addiction", "blue badge", "disabled facilities grant", "adult social care",
        "care package", "care assessment", "carer's assessment", "occupational therapy",
        "occupational therapist",
        # mental health services
        "mental health team", "community mental health team", "CMHT", "crisis team",
        "home treatment team", "psychiatric", "psychiatrist", "psychologist",
        "psychology service", "counselling", "talking therapies", "IAPT", "CAMHS",
        "eating disorder", "self-harm", "self harm", "suicide", "suicidal", "sectioned",
        "Mental Health Act", "schizophrenia", "bipolar",
        "psychosis", "learning disability", "autism assessment", "ADHD assessment",
        # memory
        "memory assessment", "memory clinic", "memory service", "Alzheimer's",
        # drugs and alcohol
        "drug and alcohol", "drugs and alcohol", "substance misuse", "substance use",
        "alcohol service", "alcohol misuse", "alcohol treatment", "alcohol dependency",
        "alcoholics anonymous", "drug service", "drug treatment", "drugs service", "drugs",
        "detox", "rehab", "methadone", "needle exchange", "opiate",
        # sexual and reproductive health
        "sexual health", "sexual health clinic", "GUM clinic", "genitourinary",
        "STI", "chlamydia", "gonorrhoea", "syphilis", "herpes", "hepatitis",
        "contraception", "contraceptive", "morning-after pill", "fertility", "IVF",
        "assisted conception", "maternity", "antenatal", "ante-natal", "postnatal",
        "post-natal", "midwife", "midwives", "midwifery", "early pregnancy unit",
        "miscarriage", "termination of pregnancy", "abortion", "smear test",
        "cervical screening", "breast screening", "bowel screening",
        # other conditions and treatments
        "oncology", "chemotherapy", "radiotherapy", "dialysis", "diabetes", "diabetic",
        "epilepsy", "stroke", "palliative", "hospice", "terminal illness", "end of life care",
        "test results", "blood test results", "biopsy", "A&E",
    ),
    "racial or ethnic origin": (
        "ethnic origin", "ethnicity", "ethnic minority", "racial", "racially", "racist",
        "race equality", "Gypsy", "Traveller site", "Gypsy and Traveller", "Irish Traveller",
        "Roma community", "asylum", "asylum seeker", "refugee status", "immigration status",
        "biometric residence permit", "no recourse to public funds",
    ),
    "political opinions": (
        "political opinion", "political opinions", "political views", "political party",
        "party membership", "Labour Party", "Conservative Party", "Liberal Democrats",
        "Green Party", "Reform UK", "Plaid Cymru", "SNP", "trade union activity",
    ),
    "religious or philosophical beliefs": (
        "religion", "religious", "religious belief", "religious beliefs",
        "philosophical belief", "philosophical beliefs", "faith group", "faith leader",
        "place of worship", "mosque", "synagogue", "gurdwara", "mandir", "chaplain",
        "chaplaincy", "imam", "rabbi", "Muslim", "Jewish", "Hindu", "Sikh", "Buddhist",
        "Jehovah's Witness", "Jehovah's Witnesses", "halal", "kosher",
    ),
    "trade union membership": (
        "trade union", "union membership", "union member", "union rep",
        "union representative", "Unison", "GMB", "Unite the union",
    ),
    "genetic data": (
        "genetic", "genetics", "genetic test", "genetic testing", "genomic", "genome",
        "DNA", "DNA test", "paternity test", "hereditary",
    ),
    "biometric data": (
        "biometric", "biometrics", "fingerprints", "facial recognition", "iris scan",
    ),
    "sex life or sexual orientation": (
        "sex life", "sexual orientation", "sexuality", "sexual", "sex", "gay", "lesbian",
        "bisexual", "LGBT", "LGBTQ", "LGBTQ+", "LGBTQIA+", "queer",
    ),
    "gender identity": (
        "gender identity", "gender identity clinic", "gender clinic", "gender reassignment",
        "gender dysphoria", "transgender", "trans man", "trans woman", "non-binary",
    ),
    "safeguarding": (
        "safeguarding", "child protection", "social worker", "social services",
        "care proceedings", "child in need", "foster care", "fostering", "foster carer",
        "children's services", "childrens services", "children's social care",
        "looked after child", "care leaver", "adoption", "child protection plan",
        "protection plan", "family support worker", "LADO",
    ),
    "domestic abuse": (
        "domestic abuse", "domestic violence", "refuge", "violence", "non-molestation",
        "MARAC", "IDVA", "abuse", "abusive", "restraining order", "occupation order",
        "Women's Aid", "sanctuary scheme", "coercive control", "stalking", "harassment",
        "forced marriage", "honour based abuse", "honour-based violence", "FGM",
        "sexual assault", "sexual abuse", "rape", "SARC", "victim support",
    ),
    "housing and eviction": (
        "eviction", "evicted", "possession", "possession order", "homeless",
        "homelessness", "notice to quit", "section 21 notice", "section 8 notice",
        "temporary accommodation", "emergency accommodation", "rough sleeping",
        "anti-social behaviour", "antisocial behaviour", "ASB",
    ),
    "court": (
        "court", "hearing", "tribunal", "magistrates", "warrant", "sentence", "sentenced",
        "prosecution", "prosecuted",
    ),
    "criminal offences": (
        "probation", "probation officer", "probation service", "youth offending",
        "youth offending team", "youth offending service", "YOT", "youth justice",
        "youth justice service", "offender", "offending", "offence", "sex offender",
        "criminal", "criminal record", "criminal records", "conviction", "convicted",
        "police", "arrest", "arrested", "custody", "prison", "bail", "parole", "MAPPA",
        "community order", "unpaid work", "crime", "crime reference", "charged with",
        "fixed penalty", "police caution", "electronic tag", "curfew",
    ),
}

# Welsh terms, radical forms; category as above. Checked against the terms Welsh
# councils and health boards use for these services (Gwasanaeth Prawf Cymru, Iechyd
# Meddwl, Cymorth i Ferched...).
WELSH_SENSITIVE_TERMS: Mapping[str, tuple[str, ...]] = {
    "debts or arrears": (
        "ôl-ddyledion", "ol-ddyledion", "ôl-ddyled", "dyled", "dyledion", "beili",
        "beilïaid", "gorchymyn atebolrwydd", "banc bwyd",
    ),
    "benefits": (
        "budd-dal", "budd-daliadau", "budd-dal tai", "credyd cynhwysol",
        "gostyngiad treth gyngor", "taliad annibyniaeth personol", "credyd pensiwn",
        "prydau ysgol am ddim",
    ),
    "health": (
        "iechyd meddwl", "tîm iechyd meddwl", "iechyd rhywiol", "clinig iechyd rhywiol",
        "camddefnyddio sylweddau", "camddefnyddio cyffuriau", "cyffuriau ac alcohol",
        "cyffuriau", "beichiogrwydd", "beichiog", "mamolaeth", "bydwraig", "gofal cyn geni",
        "cyn-geni", "ôl-enedigol", "ffrwythlondeb", "canser", "ysbyty", "anabledd",
        "anabl", "meddyginiaeth", "clinig cof", "asesiad cof", "gwasanaeth cof",
        "hunan-niweidio", "hunanladdiad", "bathodyn glas", "gofal cymdeithasol",
        "anabledd dysgu", "salwch meddwl", "seiciatrydd", "dementia",
    ),
    "racial or ethnic origin": (
        "tarddiad ethnig", "ethnigrwydd", "hiliol", "Sipsiwn a Theithwyr", "ceisiwr lloches",
        "ceiswyr lloches", "statws mewnfudo",
    ),
    "political opinions": ("barn wleidyddol", "plaid wleidyddol", "aelodaeth plaid"),
    "religious or philosophical beliefs": (
        "crefydd", "crefyddol", "cred grefyddol", "credoau crefyddol", "cred athronyddol",
        "mosg", "synagog", "caplan",
    ),
    "trade union membership": ("undeb llafur", "aelodaeth undeb"),
    "genetic data": ("genetig", "prawf genetig", "prawf DNA"),
    "biometric data": ("biometrig", "olion bysedd"),
    "sex life or sexual orientation": (
        "cyfeiriadedd rhywiol", "rhywioldeb", "bywyd rhywiol", "hoyw", "lesbiaidd",
        "deurywiol",
    ),
    "gender identity": (
        "hunaniaeth rhywedd", "clinig hunaniaeth rhywedd", "trawsryweddol", "anneuaidd",
    ),
    "safeguarding": (
        "diogelu", "amddiffyn plant", "gweithiwr cymdeithasol", "gwasanaethau cymdeithasol",
        "gwasanaethau plant", "plentyn mewn angen", "maethu", "gofal maeth", "mabwysiadu",
        "plentyn sy'n derbyn gofal",
    ),
    "domestic abuse": (
        "cam-drin domestig", "camdriniaeth ddomestig", "trais domestig", "cam-drin",
        "camdriniaeth", "lloches", "Cymorth i Ferched", "rheolaeth drwy orfodaeth",
        "priodas dan orfod", "ymosodiad rhywiol", "treisio",
    ),
    "housing and eviction": (
        "gorchymyn meddiant", "achos meddiant", "digartref", "digartrefedd",
        "llety dros dro", "rhybudd i adael", "ymddygiad gwrthgymdeithasol",
    ),
    "court": (
        "llys ynadon", "llys sirol", "llys y goron", "gwrandawiad llys", "tribiwnlys",
    ),
    "criminal offences": (
        "gwasanaeth prawf", "swyddog prawf", "Gwasanaeth Prawf Cymru", "troseddu ieuenctid",
        "troseddau ieuenctid", "tîm troseddu ieuenctid", "cyfiawnder ieuenctid",
        "troseddwr", "troseddwyr", "trosedd", "troseddau", "euogfarn", "euogfarnau",
        "carchar", "heddlu", "arestio", "arestiwyd", "dalfa", "mechnïaeth", "parôl",
        "cofnod troseddol",
    ),
}

# What a finding says a term tells the listener about.
CATEGORY_ABOUT: Mapping[str, str] = {
    "debts or arrears": "the person's debts or arrears",
    "benefits": "the person's benefits",
    "health": "the person's health",
    "racial or ethnic origin": "the person's racial or ethnic origin or immigration status",
    "political opinions": "the person's political opinions",
    "religious or philosophical beliefs": "the person's religious or philosophical beliefs",
    "trade union membership": "the person's trade union membership",
    "genetic data": "the person's genetic data",
    "biometric data": "the person's biometric data",
    "sex life or sexual orientation": "the person's sex life or sexual orientation",
    "gender identity": "the person's gender identity",
    "safeguarding": "safeguarding concerns about the family",
    "domestic abuse": "domestic abuse",
    "housing and eviction": "the person's housing or an eviction",
    "court": "court proceedings",
    "criminal offences": "criminal offences or proceedings",
}

# Everyday phrases that contain a sensitive term but reveal nothing: a hit inside
# one of these is not reported ("we look forward to hearing from you").
DEFAULT_ALLOWED_PHRASES: tuple[str, ...] = (
    "hearing from you",
    "hearing back from you",
    "look forward to hearing",
    "benefit from",
    "benefit of",
    "for the benefit",
    "in possession of",
    "religious education",
    # "diogelu data" is data protection, not safeguarding (also after a mutation).
    "diogelu data", "ddiogelu data", "niogelu data", "diogelu'r data", "diogelu eich data",
    "diogelu eich gwybodaeth", "diogelu gwybodaeth",
    # street names
    "court road", "court lane", "court street",
    "hospital road", "hospital street", "hospital lane", "hospital hill",
)

# What a finding says for a term the policy added (``sensitive_terms`` option).
POLICY_CATEGORY = "something this policy marks as sensitive"

# Welsh initial mutations of a word's first consonant: soft, nasal, aspirate.
_MUTATIONS: Mapping[str, tuple[str, ...]] = {
    "p": ("b", "mh", "ph"), "t": ("d", "nh", "th"), "c": ("g", "ngh", "ch"),
    "b": ("f", "m"), "d": ("dd", "n"), "g": ("", "ng"), "m": ("f",),
    "ll": ("l",), "rh": ("r",),
}


def welsh_mutations(term: str) -> set[str]:
    """The term and its forms after a Welsh initial mutation of its first word
    (``"dyled"`` -> ``"ddyled"``, ``"nyled"``), as Welsh grammar writes it after
    ``ei``, ``fy``, ``a``... Only the first letter(s) change; ``gw`` softens to ``w``."""
    forms = {term}
    lowered = term.lower()
    for radical in ("ll", "rh", "p", "t", "c", "b", "d", "g", "m"):
        if lowered.startswith(radical):
            rest = term[len(radical):]
            for mutated in _MUTATIONS[radical]:
                form = mutated + rest
                if len(form.split(" ")[0].replace("-", "")) >= 4:
                    forms.add(form)
            break
    return forms


def default_terms() -> dict[str, str]:
    """term -> category, for every default term (Welsh terms with their mutations)."""
    terms = {term: category for category, listed in DEFAULT_SENSITIVE_TERMS.items()
             for term in listed}
    for category, listed in WELSH_SENSITIVE_TERMS.items():
        for term in listed:
            for form in welsh_mutations(term):
                terms.setdefault(form, category)
    return terms
