"""Normal forms of what items and registers hold: addresses, postcodes, names, contacts.

The normalisations are pure and memoised with :data:`CACHE_SIZE` entries each.
"""

# Entries per memoised normalisation (and per normal-form cache in the rules). The rules
# of one row, and of its neighbours, ask for the same few normal forms, and a batch
# repeats its towns, streets and template lines; what they do not repeat (postcodes,
# house numbers, names) a larger cache only keeps longer. Measured on 100,000 rows
# (2026-12-04), every cache capped at 4,096 entries rather than up to 65,536: the same
# time (36.5 s against 36.8 s), 45 MiB less peak memory against the CSV register and
# 60 MiB less against an SQLite one; at 1,024 or 256 entries, no less memory and slower.
CACHE_SIZE = 4096
