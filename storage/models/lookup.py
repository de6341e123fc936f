"""Which encrypted columns have a lookup hash, and the ORM hooks that keep the hashes current.

Rows written through the ORM get their hashes here; the Core writers (roster import) call
`hashes_for` themselves. `storage.keys.rotate` recomputes them all under the current key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import event

from storage.cipher import lookup_hash
from storage.models.official import Official
from storage.models.person import Guardian, Person
from storage.models.wechat import BindingCode


def id18(certificate_no: str) -> str:
    """A certificate number's ID part: what identifies a person (de-duplication, lookups)."""
    return certificate_no[:18]


def _same(value: str) -> str:
    return value


# Model -> (encrypted attribute, hash attribute, what of the value is hashed).
LOOKUPS: dict[type, tuple[tuple[str, str, Callable[[str], str]], ...]] = {
    Person: (("certificate_no", "id_hash", id18), ("phone", "phone_hash", _same)),
    Guardian: (("phone", "phone_hash", _same),),
    Official: (("phone", "phone_hash", _same),),
    BindingCode: (("code", "code_hash", _same),),
}


def hashes_for(model: type, values: Mapping[str, Any]) -> dict[str, str | None]:
    """The hash columns of `values` (a row of `model` by attribute name), for those present."""
    out: dict[str, str | None] = {}
    for attr, hashed, part in LOOKUPS[model]:
        if attr in values:
            value = values[attr]
            out[hashed] = lookup_hash(part(value)) if value else None
    return out


def _keep_hashes(_mapper: Any, _connection: Any, target: Any) -> None:
    for attr, hashed, part in LOOKUPS[type(target)]:
        value = getattr(target, attr)
        setattr(target, hashed, lookup_hash(part(value)) if value else None)


def install() -> None:
    """Register the ORM hooks (once; idempotent)."""
    for model in LOOKUPS:
        for name in ("before_insert", "before_update"):
            if not event.contains(model, name, _keep_hashes):
                event.listen(model, name, _keep_hashes)
