"""The spool on its own: durable entries, retries recognised, a failing entry moved aside after
three tries without holding up the others, an outage stopping the pass."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import exc as sa_exc

from bot.spool import POISON_AFTER, Spool
from handlers.context import Incoming


def message(n: int) -> Incoming:
    return Incoming(openid=f"o_{n}", dedupe_key=f"msg:{n}", kind="text",
                    received_at=dt.datetime(2026, 4, 1, 2, 0, n), text=f"第{n}条", msg_id=str(n))


def test_failing_entry_is_moved_aside_and_the_rest_replayed(tmp_path):
    spool = Spool(tmp_path / "spool")
    for n in range(4):
        assert spool.put(message(n))
    assert not spool.put(message(2))  # a retry of a spooled message: kept once
    assert spool.holds("msg:2") and len(spool.entries()) == 4
    replayed: list[Incoming] = []

    def replay(incoming: Incoming) -> None:
        if incoming.openid == "o_1":
            raise ValueError("a message this version cannot handle")
        replayed.append(incoming)

    for _ in range(POISON_AFTER):
        spool.drain(replay)
    assert [m.dedupe_key for m in replayed] == ["msg:0", "msg:2", "msg:3"]
    assert replayed[0] == message(0)  # exactly as it came: time, text, ids
    assert spool.entries() == [] and len(list(spool.poisoned.iterdir())) == 1


def test_an_outage_stops_the_pass_and_keeps_the_entries(tmp_path):
    spool = Spool(tmp_path / "spool")
    for n in range(3):
        spool.put(message(n))

    def down(incoming: Incoming) -> None:
        raise sa_exc.OperationalError("SELECT 1", {}, ConnectionRefusedError("refused"))

    for _ in range(POISON_AFTER + 1):
        assert spool.drain(down) == 0
    assert len(spool.entries()) == 3 and not spool.poisoned.exists()
    assert spool.drain(lambda incoming: None) == 3 and spool.entries() == []
