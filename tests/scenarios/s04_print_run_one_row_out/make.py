"""Write this scenario's register and batch.csv (deterministic; run from anywhere).

200 Council Tax Reduction review letters, one per resident of Kelby. From row 150
on, the title, first_name and last_name cells were deleted with "shift cells up"
(one resident's name removed), so every later letter carries the name of the
resident on the next row, and the last row has no name at all.

    python tests/scenarios/s04_print_run_one_row_out/make.py
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROWS = 200
SHIFT_FROM_ROW = 150  # spreadsheet row (header = row 1)

TITLES = {"F": ["Mrs", "Ms", "Miss"], "M": ["Mr"]}
GIVEN = {"F": ["Aisha", "Bronwen", "Catrin", "Deborah", "Eilidh", "Fatima", "Gemma", "Hannah",
               "Imogen", "Joanna", "Keeley", "Lorna", "Marta", "Nadia", "Olwen", "Priya"],
         "M": ["Aaron", "Bilal", "Callum", "Dominic", "Emrys", "Fergus", "Gareth", "Hamza",
               "Iwan", "Jamal", "Kieran", "Lachlan", "Mateusz", "Niall", "Oluwaseun", "Rhys"]}
FAMILY = ["Abernethy", "Bancroft", "Carmody", "Dewhurst", "Ellerby", "Fairbairn", "Gorringe",
          "Haworth", "Inglis", "Jessop", "Kowalczyk", "Lethbridge", "Macaulay", "Nwachukwu",
          "Ormerod", "Pilkington", "Quinlan", "Rowbotham", "Satterthwaite", "Tremayne",
          "Uddin", "Venables", "Wetherall", "Yeoman", "Zielinski", "Ashdown", "Blackmore",
          "Chaudhry", "Dunstan", "Ekwueme"]
STREETS = ["Abbey Road", "Bridle Way", "Chantry Lane", "Dovecote Street", "Elm Grove",
           "Ferry Road", "Glebe Close", "Hythe Street", "Ings Lane", "Jubilee Crescent"]
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def build() -> tuple[list[dict[str, str]], list[dict[str, str]], list[dict[str, str]]]:
    rng = random.Random(20261126)
    people, addresses, batch = [], [], []
    previous_family = ""
    for n in range(ROWS):
        sex = rng.choice("FM")
        family = rng.choice([f for f in FAMILY if f != previous_family])
        previous_family = family
        person_id = f"P-{4001 + n}"
        street = STREETS[n % len(STREETS)]
        house = str(2 + 2 * (n // len(STREETS)))
        postcode = f"PE48 {1 + n % 9}{UNIT_LETTERS[n % 20]}{UNIT_LETTERS[(n // 20) % 20]}"
        title = rng.choice(TITLES[sex])
        given = rng.choice(GIVEN[sex])
        people.append({"person_id": person_id, "title": title, "given_name": given,
                       "family_name": family,
                       "date_of_birth": f"{rng.randint(1940, 2004)}-{rng.randint(1, 12):02d}-"
                                        f"{rng.randint(1, 28):02d}",
                       "status": "active", "flags": ""})
        addresses.append({"person_id": person_id, "line_1": f"{house} {street}",
                          "line_2": "Kelby", "line_3": "", "line_4": "", "line_5": "",
                          "line_6": "", "postcode": postcode, "status": "current",
                          "valid_from": f"{rng.randint(1995, 2024)}-0{rng.randint(1, 9)}-01",
                          "valid_to": "", "verified_on": f"2026-{rng.randint(4, 10):02d}-"
                                                         f"{rng.randint(1, 28):02d}"})
        batch.append({"recipient_id": person_id, "title": title, "first_name": given,
                      "last_name": family, "address_line_1": f"{house} {street}",
                      "address_line_2": "Kelby", "postcode": postcode, "channel": "letter",
                      "template": "ctr-annual-review", "account_ref": f"CTR-{7310000 + 7 * n}",
                      "review_by": "8 January 2027"})
    # The slip: from SHIFT_FROM_ROW on, each row gets the next row's name cells,
    # and the last row is left with none.
    first = SHIFT_FROM_ROW - 2
    names = [(r["title"], r["first_name"], r["last_name"]) for r in batch]
    for row, name in zip(batch[first:], [*names[first + 1:], ("", "", "")], strict=True):
        row["title"], row["first_name"], row["last_name"] = name
    return people, addresses, batch


def write(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    people, addresses, batch = build()
    write(HERE / "register" / "people.csv", people)
    write(HERE / "register" / "addresses.csv", addresses)
    write(HERE / "batch.csv", batch)


if __name__ == "__main__":
    main()
