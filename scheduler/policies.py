"""Load the contact policies (scheduler/policies.toml or LIANXIN_POLICY_FILE) into frozen data."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.clock import DEFAULT_TIMEZONE, LocalClock
from storage.models import Region
from storage.rules import DEFAULT_LEAD_DAYS, Rule

DEFAULT_FILE = Path(__file__).with_name("policies.toml")


@dataclass(frozen=True)
class Policy:
    name: str
    label: str
    rules: tuple[Rule, ...]
    festivals: tuple[str, ...]
    festival_lead_days: int = 3
    need_followup_days: int = 3
    need_escalation_days: int = 7
    urgent_followup_days: int = 1
    urgent_escalation_days: int = 1
    pairing_review_years: int = 2
    pairing_quotas: tuple[tuple[str, int], ...] = ()
    # Whom a village member greets at festivals: "hardship" (special-hardship persons), "all"
    # or "none". A cadre always greets their paired persons.
    festival_greets: str = "hardship"


@dataclass(frozen=True)
class Schedule:
    digest_hour: int = 8
    quiet_start: int = 21
    quiet_end: int = 8
    quarterly_report_day: int = 3
    timezone: str = DEFAULT_TIMEZONE  # the hours above and every job's "today" are read here

    @property
    def clock(self) -> LocalClock:
        return LocalClock.named(self.timezone)


# The schedule values an entry point may set from its configuration (LIANXIN_* settings).
SCHEDULE_SETTINGS = ("digest_hour", "quiet_start", "quiet_end", "timezone")


@dataclass(frozen=True)
class FestivalDef:
    name: str
    lunar: tuple[int, int] | None = None
    solar: tuple[int, int] | None = None
    nth_weekday: tuple[int, int, int] | None = None  # (month, weekday 0=Mon, n)


@dataclass(frozen=True)
class Policies:
    presets: Mapping[str, Policy]
    default: str
    schedule: Schedule
    festivals: Mapping[str, FestivalDef]
    counties: Mapping[str, Policy] = field(default_factory=dict)  # county name or id -> policy
    template: Mapping[str, str] = field(default_factory=dict)  # keyword names of the template

    def preset(self, name: str | None) -> Policy:
        return self.presets[name or self.default]

    def for_county(self, county_id: int | None, name: str | None, region_policy: str | None):
        """The county table wins (it can override), then Region.policy, then the default."""
        for key in (str(county_id), name):
            if key is not None and key in self.counties:
                return self.counties[key]
        if region_policy:
            if region_policy not in self.presets:
                raise KeyError(f"unknown policy preset {region_policy!r} on county {name}")
            return self.presets[region_policy]
        return self.presets[self.default]


def _rule(raw: Mapping) -> Rule:
    period = raw["period"]
    return Rule(
        id=raw["id"], label=raw["label"], kind=raw["kind"], period=period,
        count=int(raw.get("count", 1)),
        home_visit_only=bool(raw.get("home_visit_only", False)),
        hardship_only=bool(raw.get("hardship_only", False)),
        lead_days=int(raw.get("lead_days", DEFAULT_LEAD_DAYS[period])),
        paced_by_quarter=bool(raw.get("paced_by_quarter", False)),
    )


_POLICY_VALUES = {f.name for f in fields(Policy)} - {"name", "label", "rules", "festivals"}


def _policy(name: str, raw_presets: Mapping, defaults: Mapping, seen=()) -> Policy:
    if name in seen:
        raise ValueError(f"policy presets include each other: {name}")
    raw = raw_presets[name]
    rules: list[Rule] = []
    for included in raw.get("includes", []):
        rules.extend(_policy(included, raw_presets, defaults, (*seen, name)).rules)
    rules.extend(_rule(r) for r in raw.get("rules", []))
    values = {k: v for k, v in {**defaults, **raw}.items() if k in _POLICY_VALUES}
    values["pairing_quotas"] = tuple(values.get("pairing_quotas", {}).items())
    return Policy(
        name=name, label=raw.get("label", name), rules=tuple(rules),
        festivals=tuple(raw.get("festivals", defaults.get("festivals", ()))), **values,
    )


def _override(policy: Policy, raw: Mapping) -> Policy:
    rule_overrides = raw.get("rules", {})
    rules = tuple(
        replace(r, **rule_overrides.get(r.id, {})) for r in policy.rules
    )
    values = {k: v for k, v in raw.items() if k in _POLICY_VALUES}
    if "pairing_quotas" in values:
        values["pairing_quotas"] = tuple(values["pairing_quotas"].items())
    if "festivals" in raw:
        values["festivals"] = tuple(raw["festivals"])
    return replace(policy, rules=rules, **values)


def load_policies(path: str | Path | None = None, default: str | None = None,
                  schedule: Mapping[str, Any] | None = None,
                  festival_lead_days: int | None = None) -> Policies:
    """Parse the policy file (default: the built-in one); `schedule` values (from the entry point's
    settings, names in SCHEDULE_SETTINGS) win over the file's `[schedule]`, and
    `festival_lead_days` over its `[defaults]` (a county's own value still wins)."""
    with open(path or DEFAULT_FILE, "rb") as f:
        raw = tomllib.load(f)
    defaults = dict(raw.get("defaults", {}))
    if festival_lead_days is not None:
        defaults["festival_lead_days"] = festival_lead_days
    presets = {name: _policy(name, raw["presets"], defaults) for name in raw["presets"]}
    default = default or raw.get("default", "national_2022")
    if default not in presets:
        raise KeyError(f"unknown default policy {default!r}; presets: {sorted(presets)}")
    values = Schedule(**{**raw.get("schedule", {}), **(schedule or {})})
    festivals = {
        name: FestivalDef(
            name=name,
            lunar=tuple(spec["lunar"]) if "lunar" in spec else None,
            solar=tuple(spec["solar"]) if "solar" in spec else None,
            nth_weekday=tuple(spec["nth_weekday"]) if "nth_weekday" in spec else None,
        )
        for name, spec in raw.get("festivals", {}).items()
    }
    counties = {
        str(key): _override(presets[spec.get("preset", default)], spec)
        for key, spec in raw.get("counties", {}).items()
    }
    return Policies(presets, default, values, festivals, counties,  # type: ignore[arg-type]
                    dict(raw.get("template", {})))


def county_policies(session: Session, policies: Policies) -> dict[int | None, Policy]:
    """County region id -> its policy; the None key is the default for anything unlisted."""
    result: dict[int | None, Policy] = {None: policies.preset(None)}
    rows = session.execute(
        select(Region.id, Region.name, Region.policy).where(Region.level == "county")
    )
    for county_id, name, region_policy in rows:
        result[county_id] = policies.for_county(county_id, name, region_policy)
    return result


def rules_by_county(by_county: Mapping[int | None, Policy]) -> dict[int | None, tuple[Rule, ...]]:
    return {county: policy.rules for county, policy in by_county.items()}
