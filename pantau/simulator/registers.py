"""An inspectorate register published at a URL, as a partner's site or shared sheet publishes
one: the register pantau ships (registers/inspectorates.csv), served as CSV at ``PATH``."""

from __future__ import annotations

from pantau.registers import REGISTERS_PARENT

PATH = "/registers/inspectorates.csv"


class RegisterService:
    def handle(self, path: str) -> tuple[int, str, bytes] | None:
        if path != PATH:
            return None
        body = (REGISTERS_PARENT / "registers" / "inspectorates.csv").read_bytes()
        return 200, "text/csv; charset=utf-8", body
