"""Words that must not be left on a voicemail: what they reveal to whoever hears it.

Used by voicemail-content (and open to any rule that wants the same list). Each
category lists the terms that, said out loud on a shared phone, tell a
household member, a new owner of the number or a colleague something about
the person they had no right to know (ICO leaflet point 5: treat data in
confidence).

Terms are matched case-insensitively on word boundaries, with a plural ``s`` or
``es`` allowed after them; inflections that are not plurals (``owed``,
``evicted``) are listed explicitly.
"""

from __future__ import annotations

from collections.abc import Mapping

# category -> terms. The category is what a finding says the term reveals.
DEFAULT_SENSITIVE_TERMS: Mapping[str, tuple[str, ...]] = {
    "debts or arrears": (
        "arrears", "debt", "in debt", "overdue", "owe", "owed", "owing", "bailiff",
        "enforcement agent", "summons", "liability order", "debt collector",
        "final demand", "county court judgment", "CCJ",
    ),
    "benefits": (
        "benefit", "universal credit", "housing benefit", "council tax reduction",
        "council tax support", "PIP", "personal independence payment", "ESA",
        "employment and support allowance", "JSA", "jobseeker's allowance",
        "pension credit", "disability living allowance", "DLA", "attendance allowance",
        "carer's allowance",
    ),
    "health": (
        "diagnosis", "diagnosed", "mental health", "hospital", "GP", "medication",
        "disability", "disabled", "pregnancy", "pregnant", "dementia", "cancer", "HIV",
        "sexual health", "substance misuse", "addiction",
    ),
    "safeguarding": (
        "safeguarding", "child protection", "social worker", "social services",
        "care proceedings", "child in need", "foster care",
    ),
    "domestic abuse": (
        "domestic abuse", "domestic violence", "refuge", "violence", "non-molestation",
        "MARAC", "IDVA", "abuse", "abusive", "restraining order", "occupation order",
    ),
    "housing and eviction": (
        "eviction", "evicted", "possession", "possession order", "homeless",
        "homelessness", "notice to quit", "rent arrears", "section 21 notice",
        "temporary accommodation",
    ),
    "court": (
        "court", "hearing", "tribunal", "magistrates", "warrant", "sentence", "sentenced",
        "prosecution", "prosecuted", "probation", "conviction",
    ),
}

# What a finding says a term tells the listener about.
CATEGORY_ABOUT: Mapping[str, str] = {
    "debts or arrears": "the person's debts or arrears",
    "benefits": "the person's benefits",
    "health": "the person's health",
    "safeguarding": "safeguarding concerns about the family",
    "domestic abuse": "domestic abuse",
    "housing and eviction": "the person's housing or an eviction",
    "court": "court proceedings",
}

# Everyday phrases that contain a sensitive term but reveal nothing: a hit inside
# one of these is not reported ("we look forward to hearing from you").
DEFAULT_ALLOWED_PHRASES: tuple[str, ...] = (
    "hearing from you",
    "hearing back from you",
    "look forward to hearing",
    "benefit from",
)

# What a finding says for a term the policy added (``sensitive_terms`` option).
POLICY_CATEGORY = "something this policy marks as sensitive"


def default_terms() -> dict[str, str]:
    """term -> category, for every default term."""
    return {term: category for category, terms in DEFAULT_SENSITIVE_TERMS.items()
            for term in terms}
