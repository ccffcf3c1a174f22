"""A loopback server of the benchmark in its own process (so that serving does not share the
pipeline's GIL): started with ``python -m <module> ...``, it prints its URL on its first line."""

from __future__ import annotations

import subprocess
import sys
from typing import Self


class ServedProcess:
    def __init__(self, module: str, *args: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", module, *args],
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if not line.startswith("http://"):
            self.proc.kill()
            raise RuntimeError(f"{module} did not start: {line!r}")
        self.url = line.strip()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
