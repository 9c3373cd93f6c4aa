"""Write this scenario's register and batch.csv (deterministic; run from anywhere).

A 10,000-letter Council Tax energy rebate run for Eastholme. The batch was
assembled from two sheets, names and addresses, and from row 120 on the names
sheet is one row lower than the addresses (a name was pasted twice at row 119):
row N carries the name of row N-1's resident, and the name of the last row's
resident is lost. The name column is also the letter's first address line
(the GOV.UK Notify habit), so the envelope shows the wrong name too.

    python tests/scenarios/s05_rebate_run_10000_rows/make.py
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROWS = 10_000
SHIFT_FROM_ROW = 120  # spreadsheet row (header = row 1)

TITLES = {"F": ["Mrs", "Ms", "Miss"], "M": ["Mr"]}
GIVEN = {"F": ["Agata", "Bethan", "Chidinma", "Delyth", "Esme", "Farzana", "Gwen", "Harriet",
               "Ines", "Jasmin", "Kamala", "Leonie", "Maeve", "Nkechi", "Orla", "Paulina",
               "Rhiannon", "Saoirse", "Tamsin", "Yasmin"],
         "M": ["Adebayo", "Bartosz", "Ciaran", "Dafydd", "Eamon", "Faisal", "Guto", "Hassan",
               "Idris", "Jozef", "Kwame", "Lorcan", "Mostafa", "Nikolai", "Osian", "Pawel",
               "Ruaridh", "Sanjay", "Tadhg", "Vikram"]}
FAMILY = ["Achterberg", "Blenkinsop", "Cholmondeley", "Drinkwater", "Eastwood", "Fothergill",
          "Gillespie", "Heseltine", "Illingworth", "Jagger", "Kilbride", "Loughran",
          "Mcallister", "Nettleship", "Oyelaran", "Pemberton", "Quarshie", "Ramsbottom",
          "Sowerby", "Thistlethwaite", "Umerji", "Vasquez", "Wainwright", "Xiberras",
          "Yardley", "Zawadzki", "Ackroyd", "Brannigan", "Crabtree", "Dalrymple", "Entwistle",
          "Fitzpatrick", "Greenhalgh", "Hargreaves", "Ibbotson", "Kershaw", "Lockwood",
          "Mottram", "Nuttall", "Openshaw"]
STREET_NAMES = ["Acacia", "Beech", "Cedar", "Damson", "Elder", "Field", "Gorse", "Hazel",
                "Ivy", "Juniper", "Larch", "Maple", "Nettle", "Oak", "Poplar", "Rowan",
                "Sycamore", "Thorn", "Willow", "Yew"]
STREET_KINDS = ["Road", "Street", "Avenue", "Close", "Drive"]
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
HOUSES_PER_STREET = 100
HOUSES_PER_POSTCODE = 10


def postcode(block: int) -> str:
    return (f"PE5{block // 4000} {block % 10}{UNIT_LETTERS[(block // 10) % 20]}"
            f"{UNIT_LETTERS[(block // 200) % 20]}")


def build() -> tuple[list[dict[str, str]], list[dict[str, str]], list[dict[str, str]]]:
    rng = random.Random(150)
    people, addresses, batch = [], [], []
    previous_family = ""
    for n in range(ROWS):
        sex = rng.choice("FM")
        family = rng.choice([f for f in FAMILY if f != previous_family])
        previous_family = family
        title, given = rng.choice(TITLES[sex]), rng.choice(GIVEN[sex])
        person_id = f"R-{100001 + n}"
        street_no, house = divmod(n, HOUSES_PER_STREET)
        street = (f"{STREET_NAMES[street_no % 20]} "
                  f"{STREET_KINDS[(street_no // 20) % len(STREET_KINDS)]}")
        line_1 = f"{house + 1} {street}"
        code = postcode(n // HOUSES_PER_POSTCODE)
        people.append({"person_id": person_id, "title": title, "given_name": given,
                       "family_name": family,
                       "date_of_birth": f"{rng.randint(1935, 2005)}-{rng.randint(1, 12):02d}-"
                                        f"{rng.randint(1, 28):02d}",
                       "status": "active", "flags": ""})
        addresses.append({"person_id": person_id, "line_1": line_1, "line_2": "Eastholme",
                          "line_3": "", "line_4": "", "line_5": "", "line_6": "",
                          "postcode": code, "status": "current",
                          "valid_from": f"{rng.randint(1990, 2025)}-{rng.randint(1, 12):02d}-01",
                          "valid_to": "",
                          "verified_on": f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}"})
        name = f"{title} {given} {family}"
        batch.append({"recipient_id": person_id, "name": name, "address_line_1": name,
                      "address_line_2": line_1, "address_line_3": "Eastholme",
                      "postcode": code, "channel": "letter", "template": "energy-rebate",
                      "account_ref": f"CT-{60000000 + 13 * n}"})
    # The slip: from SHIFT_FROM_ROW on, each row carries the previous row's name.
    first = SHIFT_FROM_ROW - 2
    names = [row["name"] for row in batch]
    for row, name in zip(batch[first:], names[first - 1:-1], strict=True):
        row["name"] = row["address_line_1"] = name
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
