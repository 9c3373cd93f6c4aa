"""A small, realistic mailing shared by the CLI tests."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import Result

Invoke = Callable[..., Result]


HEADER = ("recipient_id,title,first_name,last_name,address_line_1,address_line_2,"
          "address_line_3,postcode,email,phone,channel,account_ref\n")


def good_row(n: int) -> str:
    return (f"P-{10000 + n},Mrs,Siân,Okafor,Mrs S Okafor,{n} Mill Lane,Kings Fenmarsh,"
            f"PE30 4AB,s.okafor{n}@example.org,,letter,CT-{40000000 + n}\n")
