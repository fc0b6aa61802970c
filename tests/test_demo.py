"""The demo portfolio: deterministic, believable, and obeying every write rule."""

import datetime as dt
import re

import pandas as pd
from fixtures import ANCHOR, new_location

import crm_core
from crm_core import demo, demo_relationship
from crm_core.validation import name_key


def test_the_same_seed_and_anchor_give_the_same_portfolio():
    assert demo.generate(anchor=ANCHOR) == demo.generate(anchor=ANCHOR)
    assert demo.generate(anchor=ANCHOR) != demo.generate(anchor=ANCHOR, seed=8)


def test_the_demo_tells_a_believable_story(demo_db):
    with crm_core.connect(demo_db) as db:
        table = crm_core.portfolio(db)
        trend = crm_core.opinion_trend(db)
        quality = crm_core.quality_by_stage_mode(db)
    assert len(table) >= 40
    assert table["sector"].nunique() >= 5 and table["region"].nunique() >= 4
    assert set(table["stage"]) == set(crm_core.STAGES)
    assert (ANCHOR - dt.date.fromisoformat(table["created_on"].min())).days >= 18 * 30
    assert set(quality["mode"]) == set(crm_core.MODES)
    assert table["final_opinion"].min() < 0 < table["final_opinion"].max()
    assert trend["month"].nunique() >= 18
    assert not table["name"].str.contains("Customer 1|lorem", case=False).any()


def test_neglected_accounts_show_their_gaps(demo_db):
    with crm_core.connect(demo_db) as db:
        grid = crm_core.checklist_coverage(db, "operational")
    silent = grid[grid["item_key"] == "ops.delays"].groupby("customer_id")["done"].any()
    assert (~silent).sum() >= 5          # several accounts never got a delay plan
    assert silent.sum() >= 5             # and several did


def test_the_demo_rows_pass_every_validation_rule(tmp_path):
    """Replaying a small demo through the write functions gives the same summaries as the bulk load."""
    rows = demo.generate(12, anchor=ANCHOR)
    bulk = new_location(tmp_path / "bulk.db")
    demo.load(bulk, rows)
    replay = new_location(tmp_path / "replay.db")
    today = ANCHOR
    with crm_core.connect(replay) as db:
        for customer in rows["customers"]:
            contacts = [c for c in rows["contacts"] if c["customer_id"] == customer["id"]]
            crm_core.add_customer(db, customer, [{k: c[k] for k in ("name", "role", "email", "phone")}
                                                 for c in contacts], today=today)
        events = ([(e["entered_on"], 0, e) for e in rows["entries"] if e["stage"] != "pre_deal"
                   or e["kind"] == "correction"]
                  + [(r["responded_on"], 1, r) for r in rows["responses"]]
                  + [(o["opinion_on"], 2, o) for o in rows["opinions"]])
        for _, kind, row in sorted(events, key=lambda e: (e[0], e[1])):
            if kind == 0:
                crm_core.move_stage(db, row["customer_id"], row["stage"], row["entered_on"],
                                    kind=row["kind"], reason=row.get("reason"), today=today)
            elif kind == 1:
                crm_core.log_response(db, row["customer_id"], row["stage"], row["responded_on"],
                                      row["mode"], row["items"], row["quality"], row["completeness"],
                                      row["summary"], row["author"], today=today)
            else:
                crm_core.record_opinion(db, row["customer_id"], row["stage"], row["opinion_on"],
                                        row["score"], source=row["source"], note=row["note"], today=today)
    with crm_core.connect(bulk) as a, crm_core.connect(replay) as b:
        left, right = crm_core.portfolio(a), crm_core.portfolio(b)
        pd.testing.assert_frame_equal(left.drop(columns="customer_id"), right.drop(columns="customer_id"))
        pd.testing.assert_frame_equal(crm_core.opinion_trend(a), crm_core.opinion_trend(b))


def test_no_customer_is_a_numbered_clone():
    names = [customer["name"] for customer in demo.generate(anchor=ANCHOR)["customers"]]
    assert len(names) == 48
    assert [name for name in names if re.search(r"\d", name)] == []
    assert len({name_key(name) for name in names}) == len(names)
    # nor two names one inside the other ("Hejaz Water" beside "Hejaz Water Authority")
    assert [(a, b) for a in names for b in names if a != b and b.startswith(a)] == []


def test_each_customer_is_named_buys_and_breaks_down_as_its_sector_and_region_do():
    rows = demo.generate(anchor=ANCHOR)
    projects = {}
    for customer in rows["customers"]:
        head, tail = customer["name"].split(" ", 1)
        project = customer["notes"].split("; ", 1)[1].rstrip(".")
        assert head in demo.REGION_HEADS[customer["region"]], customer["name"]
        assert tail in demo.SECTOR_TAILS[customer["sector"]], customer["name"]
        assert project in demo.SECTOR_PROJECTS[customer["sector"]], customer["name"]
        projects[customer["id"]] = project
    assert set(demo_relationship.FAULTS) == set(demo.PROJECTS)
    assert rows["cases"]
    for case in rows["cases"]:
        project = projects[case["customer_id"]]
        assert case["description"] in {fault.format(p=project) for fault in demo_relationship.FAULTS[project]}
    for response in rows["responses"]:
        assert projects[response["customer_id"]] in response["summary"]
    for promise in rows["promises"]:
        assert projects[promise["customer_id"]] in promise["what"]


def test_the_gaps_come_in_no_regular_blocks():
    ids = range(1, 49)
    handling = [demo.archetype_of(cid).name for cid in ids]
    assert min(handling.count(archetype.name) for archetype in demo.ARCHETYPES) >= 5
    # no period repeats the handling of the accounts
    assert all(any(handling[i] != handling[i + period] for i in range(48 - period)) for period in range(1, 13))
    # the accounts of an archetype with gaps do not share one block of gaps
    for archetype in demo.ARCHETYPES[1:]:
        gaps = [frozenset(demo.skipped_items(cid, archetype)) for cid in ids if demo.archetype_of(cid) == archetype]
        assert len(set(gaps)) >= 3 and max(gaps.count(found) for found in gaps) <= len(gaps) * 2 / 3, archetype.name


def test_a_missing_response_goes_with_a_lower_opinion_of_its_stage(demo_db):
    """The gaps the demo's neglected accounts have are what "what moves opinion" finds."""
    with crm_core.connect(demo_db) as db:
        delays = crm_core.opinion_drivers(db, "operational", ANCHOR).items.set_index("item_key")
        training = crm_core.opinion_drivers(db, "post_deal", ANCHOR).items.set_index("item_key")
    assert delays.loc["ops.delays", "difference"] > 0.5
    assert training.loc["post.training", "difference"] > 0.5


def test_a_new_database_gets_the_demo_once_and_keeps_it_afterwards(tmp_path):
    # What the app does on its first start with no configuration (and `python -m crm_core demo`).
    location = new_location(tmp_path / "demo.db")
    assert demo.ensure_demo(location) is True
    with crm_core.connect(location) as db:
        first = crm_core.portfolio(db)
    assert len(first) == 48
    assert demo.ensure_demo(location) is False
    with crm_core.connect(location) as db:
        assert crm_core.portfolio(db).equals(first)
