"""Outcomes beside acquisition cost and opinion, on the story database.

Final opinions: Acme 0 (neutral), Borealis -2 (negative, after a second
opinion), Cobalt +2 (positive). Acme cost 20,000 and sold 50,000 more and
referred Delta Hydro; Cobalt cost 10,000, sold 30,000 more and referred Fjord
Metro; Borealis told Nordvik Rail not to buy from us."""

import pytest
from fixtures import TODAY

import crm_core


def test_acquisition_cost_beside_the_revenue_it_led_to_per_customer(outcomes_db):
    with crm_core.connect(outcomes_db) as db:
        found = crm_core.acquisition_returns(db)
    assert list(found["group"]) == ["Acme Turbines", "Cobalt Mining", "Borealis Rail"]
    assert found["revenue"].tolist() == [50000, 30000, 0]
    assert found["return"].tolist()[:2] == [2.5, 3.0] and found["return"].isna().iloc[2]
    assert found["referrals_lost"].tolist() == [0, 0, 1]


def test_acquisition_cost_and_revenue_per_sector(outcomes_db):
    with crm_core.connect(outcomes_db) as db:
        found = crm_core.acquisition_returns(db, by="sector").set_index("group")
    assert found.loc["Energy", ["acquisition_cost", "revenue", "return"]].tolist() == [20000, 50000, 2.5]
    assert found.loc["Mining", "return"] == 3.0 and found.loc["Rail & transport", "referrals_lost"] == 1


def test_outcomes_by_final_opinion_band(outcomes_db):
    with crm_core.connect(outcomes_db) as db:
        bands = crm_core.outcomes_by_opinion(db).set_index("band")
    assert list(bands.index) == ["negative", "neutral", "positive", "not_rated"]
    assert bands["customers"].tolist() == [1, 1, 1, 0]
    assert bands.loc["negative", ["referrals_lost", "referrals_given", "revenue"]].tolist() == [1, 0, 0]
    assert bands.loc["positive", ["revenue_per_customer", "referrals_given_per_customer"]].tolist() == [30000, 1]
    assert bands["revenue"].sum() == 80000


def test_bands_on_a_past_day_use_the_final_opinion_and_the_outcomes_of_that_day(outcomes_db):
    with crm_core.connect(outcomes_db) as db:
        august = crm_core.outcomes_by_opinion(db, "2025-08-15").set_index("band")
        may = crm_core.outcomes_by_opinion(db, "2025-05-01").set_index("band")
    # 15 Aug: Borealis −2 lost a referral, Acme 0 sold 50,000, Cobalt +2 sold nothing yet.
    assert august["customers"].tolist() == [1, 1, 1, 0]
    assert august["referrals_lost"].tolist() == [1, 0, 0, 0] and august["revenue"].tolist() == [0, 50000, 0, 0]
    # 1 May: Acme +2 (its operational −2 came later), Borealis −1 (negative: the band is the sign),
    # Cobalt not a customer yet.
    assert may["customers"].tolist() == [1, 0, 1, 0] and may["revenue"].sum() == 0


def test_the_latest_outcomes_come_first_and_a_limit_keeps_the_newest(outcomes_db):
    with crm_core.connect(outcomes_db) as db:
        newest = crm_core.outcome_list(db, limit=2)
    assert newest["on_date"].tolist() == ["2025-10-05", "2025-10-01"]


def test_a_snapshot_counts_only_outcomes_up_to_that_day(outcomes_db):
    with crm_core.connect(outcomes_db) as db:
        found = crm_core.acquisition_returns(db, "2025-08-15").set_index("group")
        listed = crm_core.outcome_list(db, "2025-08-15")
    assert found.loc["Acme Turbines", "revenue"] == 50000 and found.loc["Cobalt Mining", "revenue"] == 0
    assert list(listed["kind"]) == ["additional_sale", "referral_lost"]                # newest first


@pytest.mark.parametrize("kind, kwargs, field", [
    ("additional_sale", {}, "amount"),
    ("additional_sale", {"amount": -5}, "amount"),
    ("referral_given", {}, "counterpart"),
    ("referral_won", {"counterpart": "X"}, "kind"),
    ("referral_lost", {"counterpart": "X", "on_date": "2024-12-01"}, "on_date"),
    ("referral_lost", {"counterpart": "X", "on_date": "2030-01-01"}, "on_date"),
])
def test_an_outcome_is_validated_by_field(story_db, kind, kwargs, field):
    on_date = kwargs.pop("on_date", "2025-08-01")
    with crm_core.connect(story_db) as db, pytest.raises(crm_core.ValidationError) as refused:
        crm_core.record_outcome(db, 1, kind, on_date, today=TODAY, **kwargs)
    assert refused.value.field == field


def test_an_outcome_is_audited_undone_and_refused_to_a_viewer(outcomes_db):
    with crm_core.connect(outcomes_db) as db:
        assert crm_core.history(db, 2).iloc[-1][["action", "entity"]].tolist() == ["create", "outcome"]
        crm_core.undo(db, "ana")
        assert crm_core.acquisition_returns(db).set_index("group").loc["Borealis Rail", "referrals_lost"] == 0
        crm_core.add_user(db, "admin", "correct horse battery", "admin")
        crm_core.add_user(db, "vera", "correct horse battery", "viewer", author="admin")
        with pytest.raises(crm_core.AccessDenied):
            crm_core.record_outcome(db, 1, "additional_sale", "2025-08-02", amount=1, author="vera", today=TODAY)
