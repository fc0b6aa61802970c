"""The demo's service cases, promises and outcomes, generated from the demo's
customers so they tell the same story: exemplary accounts get fast repairs,
kept promises, additional sales and referrals; neglected ones ("no
aftercare", "silent delays") get late clocks, overpriced spare parts, broken
promises and lost referrals. There is always an open critical case past its
target and an open case still within it. Deterministic for a seed and anchor.
"""

from __future__ import annotations

import datetime as dt
import random

from .service import DEFAULT_TARGETS

# The faults of each project the demo's customers buy (``demo.SECTOR_PROJECTS``).
FAULTS: dict[str, tuple[str, ...]] = {
    "substation upgrade": ("Transformer overheating at the {p}", "Protection relay trips at the {p}",
                           "Partial-discharge alarm at the {p}"),
    "gas turbine package": ("Abnormal vibration of the {p}", "Lube-oil leak on the {p}", "The {p} trips under load"),
    "wind-farm grid link": ("Converter fault on the {p}", "Cable joint overheating on the {p}",
                            "SCADA link drops on the {p}"),
    "pumping station": ("Pump cavitation at the {p}", "Variable-speed drive trips at the {p}",
                        "Seal leak on a pump of the {p}"),
    "desalination skid": ("Membrane fouling on the {p}", "High-pressure pump vibration on the {p}",
                          "Conductivity sensor drift on the {p}"),
    "signalling retrofit": ("Interlocking fault on the {p}", "Axle-counter drift on the {p}",
                            "Signal failures after the {p}"),
    "tunnel ventilation": ("Jet-fan vibration in the {p}", "Damper actuator stuck in the {p}",
                           "Smoke-control software freezes on the {p}"),
    "conveyor line": ("Belt misalignment on the {p}", "Idler bearing failures on the {p}",
                      "Drive gearbox overheating on the {p}"),
    "crusher drive": ("Abnormal vibration of the {p}", "Oil leak on the {p}", "The {p} trips under load"),
    "rolling-mill drive": ("The {p} trips under load", "Encoder drift on the {p}", "Cooling fault on the {p}"),
    "furnace cooling system": ("Cooling-water leak on the {p}", "Pump trips on the {p}",
                               "Temperature sensor drift on the {p}"),
    "gas compressor station": ("Abnormal vibration at the {p}", "Dry-gas seal leak at the {p}",
                               "Anti-surge valve fault at the {p}"),
    "refinery control system": ("Control software freezes on the {p}", "Transmitter drift on the {p}",
                                "Operator stations lose the {p}"),
    "fibre backbone": ("Fibre cut on the {p}", "Optical amplifier alarms on the {p}",
                       "Signal loss on a span of the {p}"),
    "data-centre cooling": ("Chiller trips at the {p}", "Overheating alarms at the {p}",
                            "Control software freezes on the {p}"),
}
TEAMS = ("Field team North", "Field team South", "Expert team", "Commissioning team", "Remote support desk")
PROMISES = {
    "performance": ("{p} availability of 98 % in the first year", "98 %"),
    "quality": ("Zero open punch-list items at handover of the {p}", "0 items"),
    "price": ("Spare parts for the {p} at list price for 5 years", "list price"),
    "date": ("{p} commissioned by the agreed date", None),
    "training": ("Operator training on the {p} before start-up", "3 sessions"),
    "other": ("Dedicated contact for the {p} during warranty", "1 contact"),
}
PRIORITY_WEIGHTS = {"critical": 0.1, "high": 0.3, "normal": 0.45, "low": 0.15}
# How each archetype handles clocks (share of the target used), spare prices and promises.
SPEED = {"exemplary": (0.2, 0.8), "steady": (0.5, 1.1), "silent delays": (0.6, 1.5), "no aftercare": (1.0, 2.5)}
MARKUP = {"exemplary": (1.0, 1.0), "steady": (1.0, 1.05), "silent delays": (1.0, 1.1), "no aftercare": (1.15, 1.4)}
BREAKS = {"exemplary": 0.0, "steady": 0.1, "silent delays": 0.6, "no aftercare": 0.5}


def _stage_periods(entries: list[dict], anchor: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """(stage, first day, last day) of each stage stay of one customer, in order."""
    entries = sorted(entries, key=lambda e: e["entered_on"])
    days = [dt.date.fromisoformat(e["entered_on"]) for e in entries]
    ends = [later - dt.timedelta(days=1) for later in days[1:]] + [anchor]
    return [(e["stage"], start, max(start, end)) for e, start, end in zip(entries, days, ends)]


def _final_opinion(opinions: list[dict]) -> int:
    latest = {}
    for row in sorted(opinions, key=lambda o: o["opinion_on"]):
        latest[row["stage"]] = row["score"]
    return sum(latest.values())


def _day_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days + 1)))


def _case(rng, cid, archetype, project, reported: dt.datetime, cutoff: dt.datetime, priority: str) -> dict:
    low, high = SPEED[archetype]
    targets = DEFAULT_TARGETS[priority]
    moments, last = [], reported
    for target in targets:
        last = max(last, reported + dt.timedelta(minutes=round(rng.uniform(low, high) * target * 60)))
        moments.append(last)
    row = {"customer_id": cid, "reported_at": reported.isoformat(timespec="minutes"),
           "description": rng.choice(FAULTS[project]).format(p=project), "priority": priority, "author": None}
    for column, moment in zip(("first_reply_at", "attention_at", "repaired_at"), moments):
        row[column] = moment.isoformat(timespec="minutes") if moment <= cutoff else None
    row["expert"] = rng.choice(TEAMS) if row["attention_at"] else None
    if row["repaired_at"]:
        if rng.random() < 0.6:
            reference = rng.randrange(2, 60) * 100.0
            row["spare_reference_price"] = reference
            row["spare_quoted_price"] = round(reference * rng.uniform(*MARKUP[archetype]), 2)
        closed = moments[-1] + dt.timedelta(hours=2)
        row["closed_at"] = closed.isoformat(timespec="minutes") if closed <= cutoff else None
    return row


def generate(rows: dict[str, list[dict]], archetypes: dict[int, str], *, seed: int = 7,
             anchor: dt.date | None = None) -> dict[str, list[dict]]:
    """``cases``, ``promises`` and ``outcomes`` for the customers of ``rows`` (as made
    by ``demo.generate``), ``archetypes`` naming how each customer is handled."""
    anchor = anchor or dt.date.today()
    rng = random.Random(seed * 7919 + 5)
    cutoff = dt.datetime.combine(anchor, dt.time())   # nothing after the anchor day began: no future events
    names = {c["id"]: c for c in rows["customers"]}
    entries, opinions = {}, {}
    for entry in rows["entries"]:
        entries.setdefault(entry["customer_id"], []).append(entry)
    for opinion in rows["opinions"]:
        opinions.setdefault(opinion["customer_id"], []).append(opinion)
    out: dict[str, list[dict]] = {"cases": [], "promises": [], "outcomes": []}
    story = {"critical": False, "within": False}
    for cid, customer in names.items():
        archetype, manager = archetypes[cid], customer["account_manager"]
        project = customer["notes"].split("; ", 1)[1].rstrip(".")
        periods = _stage_periods(entries.get(cid, []), anchor)
        post = [p for p in periods if p[0] == "post_deal"]
        if post and post[0][1] < anchor:
            start = post[0][1]
            for _ in range(1 + cid % 3):
                day = _day_between(rng, start, anchor - dt.timedelta(days=1))
                reported = dt.datetime.combine(day, dt.time(rng.randrange(7, 18), rng.choice((0, 15, 30, 45))))
                priority = rng.choices(list(PRIORITY_WEIGHTS), weights=list(PRIORITY_WEIGHTS.values()))[0]
                out["cases"].append(_case(rng, cid, archetype, project, reported, cutoff, priority))
            if archetype == "no aftercare" and not story["critical"]:
                reported = cutoff - dt.timedelta(hours=26)           # 26 h without an expert: target 4 h
                case = _case(rng, cid, archetype, project, reported, cutoff, "critical")
                out["cases"].append({**case, "attention_at": None, "expert": None, "repaired_at": None,
                                     "spare_quoted_price": None, "spare_reference_price": None, "closed_at": None})
                story["critical"] = True
            elif archetype == "exemplary" and not story["within"]:
                reported = cutoff - dt.timedelta(hours=3)            # replied, expert on the way
                out["cases"].append(_case(rng, cid, archetype, project, reported, cutoff, "normal"))
                story["within"] = True
        for _ in range(1 + cid % 3):
            stage, first, last = periods[rng.randrange(len(periods))]
            kind = rng.choice(list(PROMISES))
            made = _day_between(rng, first, last)
            due = made + dt.timedelta(days=rng.randrange(30, 150))
            text, value = PROMISES[kind]
            row = {"customer_id": cid, "stage": stage, "made_on": made.isoformat(), "made_by": manager,
                   "kind": kind, "what": text.format(p=project), "promised_value": value or due.isoformat(),
                   "due_on": due.isoformat(), "status": "open", "author": manager}
            slip = rng.randrange(-7, 5) if archetype == "exemplary" else rng.randrange(-3, 40)
            resolved = min(anchor, max(made, due + dt.timedelta(days=slip)))
            forgotten = archetype in ("silent delays", "no aftercare") and rng.random() < 0.2
            if due < anchor and not forgotten:                     # the forgotten ones stay open, overdue
                status = "broken" if rng.random() < BREAKS[archetype] else \
                    "renegotiated" if slip > 20 else "kept"
                row.update(status=status, resolved_on=resolved.isoformat(),
                           actual_value=row["promised_value"] if status == "kept" else "not delivered"
                           if status == "broken" else "new terms agreed")
            out["promises"].append(row)
        opinion = _final_opinion(opinions.get(cid, []))
        since = periods[1][1] if len(periods) > 1 else periods[0][1]
        sales = rng.randrange(1, 4) if opinion >= 2 else rng.randrange(0, 2) if opinion >= -1 else \
            int(rng.random() < 0.2)
        for _ in range(sales):
            out["outcomes"].append({"customer_id": cid, "kind": "additional_sale",
                                    "on_date": _day_between(rng, since, anchor).isoformat(),
                                    "amount": float(rng.randrange(20, 250) * 1000),
                                    "note": f"Extension of the {project}", "author": manager})
        referrals = (("referral_given", rng.randrange(1, 3)) if opinion >= 2 else
                     ("referral_given", int(rng.random() < 0.5)) if opinion >= -1 else
                     ("referral_lost", rng.randrange(1, 3)))
        for _ in range(referrals[1]):
            other = names[rng.randrange(1, len(names) + 1)]["name"].split()[0]
            out["outcomes"].append({"customer_id": cid, "kind": referrals[0],
                                    "on_date": _day_between(rng, since, anchor).isoformat(),
                                    "counterpart": f"{other} {rng.choice(('Energy', 'Transit', 'Ports', 'Cement'))}",
                                    "author": manager})
    return out
