"""The process-wide pieces built from settings: engine and session factories (created lazily)."""

from __future__ import annotations

from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import Settings, load_settings
from storage import cipher
from storage.clock import LocalClock
from storage.db import make_engine, read_session_factory, session_factory


class Runtime:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or load_settings()
        # The process's data keys (storage.cipher) come from its settings.
        cipher.configure(self.settings.data_key, self.settings.previous_data_keys)

    @cached_property
    def clock(self) -> LocalClock:
        """Local days and hours under LIANXIN_TIMEZONE."""
        return LocalClock.named(self.settings.timezone)

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.database_url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        """Factory for read-write units of work: `with rt.sessions.begin() as s:`."""
        return session_factory(self.engine)

    @cached_property
    def read_sessions(self) -> sessionmaker[Session]:
        return read_session_factory(self.engine)

    def dispose(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
