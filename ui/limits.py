"""Limits over a rolling window: guesses, workshops created, seconds of heavy work.

A server reachable by a room of strangers must not let one visitor guess
join codes and PINs, create workshops without end, or keep the workers busy
for everyone else. Each limit counts what a key (a session, an address, a
workshop) has used in the last `seconds`; `Limit` itself knows nothing of
Streamlit, so the arithmetic is tested on its own.
"""

from __future__ import annotations

import math
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

import streamlit as st

NAMES = {
    "session": "this browser tab",
    "address": "this address",
    "workshop": "this workshop",
    "server": "this server",
}
"""What each kind of key is called in the one line that refuses."""


def visitor() -> dict[str, str]:
    """Who is asking: this session, the address it comes from when known, and the server."""
    return {
        "session": st.session_state.setdefault("visitor", secrets.token_hex(8)),
        "address": st.context.ip_address or "",
        "server": "all",
    }


@dataclass
class Limit:
    """At most `allowed` (events, or seconds of work) per key in any `seconds`."""

    allowed: float
    seconds: float
    _used: dict = field(default_factory=lambda: defaultdict(deque), repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def used(self, key: str, now: float | None = None) -> float:
        """What `key` has used in the window ending `now`."""
        now = time.monotonic() if now is None else now
        with self._lock:
            spent = self._used[key]
            while spent and spent[0][0] <= now - self.seconds:
                spent.popleft()
            if not spent:
                del self._used[key]  # keys seen once (a guessed code) do not pile up
                return 0.0
            return sum(amount for _, amount in spent)

    def full(self, key: str, now: float | None = None) -> bool:
        """Whether `key` has used all it is allowed in the window."""
        return self.used(key, now) >= self.allowed

    def record(self, key: str, amount: float = 1.0, now: float | None = None) -> None:
        """Count `amount` against `key` at `now`."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._used[key].append((now, amount))

    def minutes_to_wait(self, key: str, now: float | None = None) -> int:
        """Whole minutes until `key` is below its limit again (at least 1)."""
        now = time.monotonic() if now is None else now
        over, wait = self.used(key, now) - self.allowed, 0.0
        with self._lock:
            for at, amount in self._used.get(key, ()):  # the oldest expire first
                if over < 0:
                    break
                over -= amount
                wait = at + self.seconds - now
        return max(1, math.ceil(wait / 60))
