"""Policy presets from TOML, per-county selection and overrides."""

from __future__ import annotations

import pytest

from bot.scheduling import policies_for
from bot.settings import load_settings
from scheduler.policies import county_policies, load_policies


def test_presets():
    p = load_policies()
    assert p.default == "national_2022"
    national = p.presets["national_2022"]
    assert [(r.id, r.kind, r.period, r.count, r.home_visit_only, r.hardship_only, r.lead_days)
            for r in national.rules] == [
        ("quarterly_home_visit", "jurisdiction", "quarter", 1, True, False, 14),
        ("monthly_hardship_home_visit", "jurisdiction", "month", 1, True, True, 7),
    ]
    shandong = {r.id: r for r in p.presets["shandong_2024"].rules}
    assert shandong["yearly_contacts"].count == 4 and shandong["yearly_contacts"].paced_by_quarter
    assert shandong["yearly_home_visits"].count == 2 and shandong["yearly_home_visits"].home_visit_only
    assert "quarterly_home_visit" in shandong  # the national duty of village members stays
    assert p.presets["shandong_2024"].pairing_review_years == 2
    yueyang = p.presets["yueyang_2023"]
    assert dict(yueyang.pairing_quotas) == {"处级": 4, "科级": 2, "其他": 1}
    assert "全国助残日" in yueyang.festivals
    assert national.festival_lead_days == 3
    assert p.schedule.digest_hour == 8 and (p.schedule.quiet_start, p.schedule.quiet_end) == (21, 8)


def test_default_and_file_from_settings(tmp_path):
    custom = tmp_path / "p.toml"
    custom.write_text(
        (load_policies.__globals__["DEFAULT_FILE"]).read_text(encoding="utf-8")
        + '\n["counties"."华容县"]\npreset = "yueyang_2023"\nfestival_lead_days = 5\n'
        'rules.quarterly_pairing_contact.lead_days = 21\n', encoding="utf-8")
    s = load_settings(env={"LIANXIN_POLICY_FILE": str(custom),
                           "LIANXIN_DEFAULT_POLICY": "shandong_2024",
                           "LIANXIN_DIGEST_HOUR": "7"})
    p = policies_for(s)
    assert p.default == "shandong_2024"
    assert p.schedule.digest_hour == 7
    county = p.for_county(99, "华容县", None)
    assert county.festival_lead_days == 5
    assert {r.id: r.lead_days for r in county.rules}["quarterly_pairing_contact"] == 21
    with pytest.raises(KeyError):
        load_policies(default="nope")


def test_county_selection_from_regions(runtime, world):
    other = world.region("华容县", "county", None, policy="yueyang_2023")
    p = load_policies()
    with runtime.sessions() as s:
        chosen = county_policies(s, p)
    assert chosen[world.county].name == "national_2022"
    assert chosen[other].name == "yueyang_2023"
    assert chosen[None].name == "national_2022"


def test_festival_lead_days_from_the_environment_applies_to_every_preset():
    from bot.scheduling import policies_for
    from bot.settings import load_settings

    five = policies_for(load_settings(env={"LIANXIN_FESTIVAL_LEAD_DAYS": "5"}))
    assert {p.festival_lead_days for p in five.presets.values()} == {5}
    default = policies_for(load_settings(env={}))
    assert {p.festival_lead_days for p in default.presets.values()} == {3}
