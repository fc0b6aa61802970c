"""A deterministic generator of believable portfolios.

``generate`` tells the same story for the same seed and anchor day: engineering
and infrastructure customers in several sectors and regions, spread over the
three stages, with exemplary accounts, average ones, and neglected ones whose
gaps (no delay plan while delayed, no training after delivery) show up as
falling opinion. ``build_demo`` writes the small demo; the benchmark uses the
same generator at scale.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from .catalogue import CHECKLIST, MODES, STAGES
from . import demo_relationship as relationship, funnel
from .storage import bulk, commands, connect, relationship_commands
from .validation import name_key

SECTORS = ("Energy", "Water & utilities", "Rail & transport", "Mining", "Manufacturing",
           "Oil & gas", "Telecom infrastructure")
REGIONS = ("Northern Europe", "Iberia", "France & Benelux", "Southeast Asia", "Latin America",
           "Middle East")
MANAGERS = ("Lucía Romero", "Marc Dubois", "Siti Rahayu", "Jonas Berg", "Ana Ferreira",
            "Budi Santoso")
NAME_HEADS = ("Nordvik", "Iberhidro", "Rhône", "Kalimantan", "Andes", "Gulf", "Baltic", "Sierra",
              "Java", "Loire", "Atlas", "Meseta", "Sumatra", "Fjord", "Pampa", "Douro", "Borneo",
              "Alpine", "Cantabria", "Mekong", "Tagus", "Oasis", "Vistula", "Orinoco")
NAME_TAILS = ("Power", "Water Authority", "Rail", "Mining", "Steelworks", "Energía", "Télécom",
              "Cement", "Port Authority", "Hydro", "Metro", "Refining")
PROJECTS = ("substation upgrade", "pumping station", "signalling retrofit", "conveyor line",
            "gas turbine package", "desalination skid", "fibre backbone", "rolling-mill drive",
            "wind-farm grid link", "tunnel ventilation")
FIRST_NAMES = ("Elena", "Pierre", "Dewi", "Erik", "Carmen", "Ahmad", "Sofia", "Luc", "Rina", "Pablo")
LAST_NAMES = ("García", "Lefèvre", "Wijaya", "Nilsson", "Ortega", "Haddad", "Costa", "Martin")
ROLES = ("Project director", "Procurement lead", "Plant manager", "Maintenance head", "CTO")
SOURCES = ("meeting", "survey", "call", "email")

SUMMARIES = {
    "pre.data": "Sent the complete technical data pack for the {p}",
    "pre.evaluations": "Walked through the evaluation of the three options for the {p}",
    "pre.technology": "Briefed on the new drive technology expected next year for the {p}",
    "pre.maintenance": "Explained maintenance and support needs of each {p} option",
    "pre.references": "Shared pros and cons of two similar {p} projects we ran",
    "ops.progress": "Monthly progress report on the {p}, implications spelled out",
    "ops.status": "Status review of engineering and manufacturing for the {p}",
    "ops.delays": "Presented the recovery plan for the delayed {p} deliveries",
    "ops.changes": "Agreed module changes and the post-release plan for the {p}",
    "ops.testing": "Explained the testing strategy and QC constraints of the {p}",
    "post.immediate_reply": "Same-day reply to the abnormal vibration report on the {p}",
    "post.quick_attention": "Engineer on site within 24 h for the {p} breakdown",
    "post.repair_priority": "Prioritised the {p} repair ahead of the queue",
    "post.expert_team": "Assigned the dedicated expert team for the {p}",
    "post.efficiency": "Workshop on running the {p} at lower capacity and better efficiency",
    "post.spares": "Supplied spare parts for the {p} at list price",
    "post.training": "Trained the customer's operators on the {p}",
    "post.service": "Agreed the improved service plan for the {p}",
}


@dataclass(frozen=True)
class Archetype:
    """How an account is handled: which items we skip, how well, which modes."""

    name: str
    skips: tuple[str, ...]      # checklist items never given
    quality: tuple[int, int]    # range of quality and completeness ratings
    modes: tuple[float, float, float]  # weights of face_to_face, phone, email_fax
    mood: float                 # opinion drift per month


ARCHETYPES = (
    Archetype("exemplary", (), (4, 5), (0.5, 0.3, 0.2), 0.05),
    Archetype("steady", ("pre.references", "ops.changes", "post.efficiency"), (3, 5), (0.3, 0.4, 0.3), 0.0),
    Archetype("silent delays", ("ops.delays", "ops.testing", "pre.maintenance"), (2, 4), (0.1, 0.3, 0.6), -0.12),
    Archetype("no aftercare", ("post.training", "post.spares", "post.expert_team"), (2, 4), (0.2, 0.3, 0.5), -0.1),
)


def archetype_of(cid: int) -> Archetype:
    """How the demo handles customer ``cid`` (every ninth is exemplary)."""
    return ARCHETYPES[cid % len(ARCHETYPES)] if cid % 9 else ARCHETYPES[0]


def _month_days(rng: random.Random, start: dt.date, end: dt.date, per_month: float) -> list[dt.date]:
    """Random days between ``start`` and ``end``, about ``per_month`` a month."""
    span = (end - start).days
    if span <= 0:
        return []
    count = max(1, int(rng.gauss(per_month * span / 30, 1)))
    return sorted(start + dt.timedelta(days=rng.randrange(span + 1)) for _ in range(count))


def generate(customers: int = 48, *, seed: int = 7, anchor: dt.date | None = None,
             responses_per_month: float = 3.0, history_months: int = 26) -> dict[str, list[dict]]:
    """Rows for ``commands.bulk_load``: customers, contacts, entries, responses, opinions
    (and for ``relationship_commands.bulk_load``: cases, promises, outcomes).

    Takes the number of customers, a seed, the last day of history (default
    today) and the response rate; returns plain dicts obeying every write rule.
    """
    anchor = anchor or dt.date.today()
    rng = random.Random(seed)
    items_by_stage = {s: [i.key for i in CHECKLIST if i.stage == s] for s in STAGES}
    out: dict[str, list[dict]] = {k: [] for k in ("customers", "contacts", "entries", "responses", "opinions")}
    response_id = 0
    used_names: set[str] = set()
    for cid in range(1, customers + 1):
        head, tail = NAME_HEADS[(cid - 1) % len(NAME_HEADS)], NAME_TAILS[(cid * 7) % len(NAME_TAILS)]
        name, copies = f"{head} {tail}", 1
        while name_key(name) in used_names:
            copies += 1
            name = f"{head} {tail} {copies}"
        used_names.add(name_key(name))
        archetype = archetype_of(cid)
        created = anchor - dt.timedelta(days=rng.randrange(30, history_months * 30))
        project = PROJECTS[cid % len(PROJECTS)]
        out["customers"].append({
            "id": cid, "name": name, "name_key": name_key(name),
            "sector": SECTORS[cid % len(SECTORS)], "region": REGIONS[(cid * 5) % len(REGIONS)],
            "account_manager": MANAGERS[(cid * 3) % len(MANAGERS)],
            "acquisition_cost": float(rng.randrange(8, 120) * 1000), "created_on": created.isoformat(),
            "notes": f"{archetype.name.capitalize()} account; {project}.", "external_id": f"ERP-{10000 + cid}",
        })
        for k in range(1 + cid % 2):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            out["contacts"].append({"customer_id": cid, "name": f"{first} {last}", "role": rng.choice(ROLES),
                                    "email": f"{first[0].lower()}.{last.lower()}@example.com",
                                    "phone": f"+34 600 {cid:03d} {k:03d}"})
        # Stage dates: pre-deal 2-6 months, operational 6-12 months, then post-deal.
        starts = [created]
        starts.append(created + dt.timedelta(days=rng.randrange(60, 180)))
        starts.append(starts[1] + dt.timedelta(days=rng.randrange(180, 360)))
        starts = [s for s in starts if s <= anchor]
        for stage, start in zip(STAGES, starts):
            out["entries"].append({"customer_id": cid, "stage": stage, "entered_on": start.isoformat(),
                                   "kind": "forward", "author": out["customers"][-1]["account_manager"]})
        if cid % 17 == 0 and len(starts) == 2:
            # A deal that fell back to negotiation, recorded as a correction.
            back = starts[1] + (anchor - starts[1]) / 2
            out["entries"].append({"customer_id": cid, "stage": "pre_deal", "entered_on": back.isoformat(),
                                   "kind": "correction", "author": out["customers"][-1]["account_manager"],
                                   "reason": "Contract signature postponed; back to negotiation"})
            starts = [starts[0], back]
            reached = 1
        else:
            reached = len(starts)
        mood = rng.uniform(0.3, 1.2)
        for position in range(reached):
            stage = STAGES[position]
            start = starts[position]
            end = starts[position + 1] if position + 1 < len(starts) else anchor
            end = max(start, end if stage != "post_deal" else anchor)
            wanted = [k for k in items_by_stage[stage] if k not in archetype.skips]
            for day in _month_days(rng, start, end, responses_per_month):
                response_id += 1
                items = rng.sample(wanted, k=min(len(wanted), rng.choice((1, 2, 2, 3))))
                low, high = archetype.quality
                mode = rng.choices(MODES, weights=archetype.modes)[0]
                penalty = 1 if mode == "email_fax" and archetype.name != "exemplary" else 0
                out["responses"].append({
                    "id": response_id, "customer_id": cid, "stage": stage, "responded_on": day.isoformat(),
                    "mode": mode, "items": items,
                    "summary": SUMMARIES[items[0]].format(p=project),
                    "quality": max(1, rng.randint(low, high) - penalty),
                    "completeness": max(1, rng.randint(low, high) - penalty),
                    "author": out["customers"][-1]["account_manager"],
                })
            for day in _month_days(rng, start, anchor, 0.4):
                months = (day - starts[0]).days / 30
                score = round(mood + archetype.mood * months + rng.gauss(0, 0.5))
                out["opinions"].append({
                    "customer_id": cid, "stage": stage, "opinion_on": day.isoformat(),
                    "score": max(-2, min(2, score)), "source": rng.choice(SOURCES),
                    "note": f"{stage.replace('_', '-')} review with the customer",
                    "author": out["customers"][-1]["account_manager"],
                })
    out.update(relationship.generate(out, {c["id"]: archetype_of(c["id"]).name for c in out["customers"]},
                                     seed=seed, anchor=anchor))
    return out


def load(path, rows: dict[str, list[dict]]) -> None:
    """Write generated rows into the (empty) database at ``path`` in one transaction."""
    with connect(path) as db, funnel.unaudited(db):
        commands.bulk_load(db, rows["customers"], rows["contacts"], rows["entries"],
                           rows["responses"], rows["opinions"])
        relationship_commands.bulk_load(db, rows.get("cases", []), rows.get("promises", []),
                                        rows.get("outcomes", []))
        bulk.refresh_statistics(db)


def build_demo(path, *, anchor: dt.date | None = None, customers: int = 48) -> None:
    """Create the demo portfolio in ``path`` (which must hold no customers yet)."""
    load(path, generate(customers, anchor=anchor))


def ensure_demo(path) -> bool:
    """Fill ``path`` with the demo when it has no customers; returns True if it did."""
    with connect(path) as db:
        if bulk.has_customers(db):
            return False
    build_demo(path)
    return True
