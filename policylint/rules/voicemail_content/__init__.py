"""voicemail-content: a voicemail script saying more than the policy allows, or left on a
number that may no longer be the person's.

One module per kind of detector, each readable and tested on its own:

* :mod:`.names` (surname, full name, a title and surname in a first-name cell),
* :mod:`.address` (address lines, streets, postcodes),
* :mod:`.identifiers` (NHS and NI numbers, references, long numbers, callback numbers),
* :mod:`.amounts` (money), :mod:`.dates` (dates of birth),
* :mod:`.terms` (sensitive terms, over :mod:`policylint.rules._sensitive_terms`),

with :mod:`.phone` (the number the voicemail is left on), :mod:`.text` (the script as
detectors see it), :mod:`.hits` and the rule itself in :mod:`.rule`.
"""

from __future__ import annotations

from policylint.rules.voicemail_content.hits import PERSONAL_KINDS
from policylint.rules.voicemail_content.identifiers import nhs_number_valid
from policylint.rules.voicemail_content.rule import DEFAULT_ALLOWED_FIELDS, VoicemailContent

__all__ = ["DEFAULT_ALLOWED_FIELDS", "PERSONAL_KINDS", "VoicemailContent", "nhs_number_valid"]
