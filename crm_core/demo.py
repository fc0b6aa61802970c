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
from .storage import bulk, commands, connect, queries, relationship_commands
from .validation import name_key

# Each region's customers are named after its places, each sector's by what they run, and
# each sector buys its own projects (their faults are in ``demo_relationship.FAULTS``):
# a rail operator in oil and gas with a fibre-backbone fault is not a story anyone believes.
REGION_HEADS: dict[str, tuple[str, ...]] = {
    "Northern Europe": ("Nordvik", "Baltic", "Fjord", "Skagen", "Lapland", "Gotland", "Bothnia", "Jutland"),
    "Iberia": ("Meseta", "Douro", "Tagus", "Cantabria", "Sierra", "Ebro", "Guadiana", "Navarra"),
    "France & Benelux": ("Rhône", "Loire", "Alpine", "Escaut", "Ardenne", "Garonne", "Vosges", "Moselle"),
    "Southeast Asia": ("Kalimantan", "Java", "Sumatra", "Borneo", "Mekong", "Sulawesi", "Riau", "Lombok"),
    "Latin America": ("Andes", "Pampa", "Orinoco", "Patagonia", "Atacama", "Paraná", "Maipo", "Cauca"),
    "Middle East": ("Gulf", "Oasis", "Najd", "Dhofar", "Levant", "Hejaz", "Sharqiya", "Musandam"),
}
SECTOR_TAILS: dict[str, tuple[str, ...]] = {
    "Energy": ("Power", "Energy", "Hydro"),
    "Water & utilities": ("Water Authority", "Waterworks", "Utilities"),
    "Rail & transport": ("Rail", "Metro", "Transit"),
    "Mining": ("Mining", "Minerals", "Copper"),
    "Manufacturing": ("Steelworks", "Metals", "Industries"),
    "Oil & gas": ("Refining", "Petroleum", "Gas"),
    "Telecom infrastructure": ("Telecom", "Networks", "Connect"),
}
SECTOR_PROJECTS: dict[str, tuple[str, ...]] = {
    "Energy": ("substation upgrade", "gas turbine package", "wind-farm grid link"),
    "Water & utilities": ("pumping station", "desalination skid"),
    "Rail & transport": ("signalling retrofit", "tunnel ventilation"),
    "Mining": ("conveyor line", "crusher drive"),
    "Manufacturing": ("rolling-mill drive", "furnace cooling system"),
    "Oil & gas": ("gas compressor station", "refinery control system"),
    "Telecom infrastructure": ("fibre backbone", "data-centre cooling"),
}
REGION_PHONE_PREFIXES: dict[str, str] = {
    "Northern Europe": "+47", "Iberia": "+34", "France & Benelux": "+33", "Southeast Asia": "+62",
    "Latin America": "+54", "Middle East": "+971"}
SECTORS = tuple(SECTOR_TAILS)
REGIONS = tuple(REGION_HEADS)
MANAGERS = ("Lucía Romero", "Marc Dubois", "Siti Rahayu", "Jonas Berg", "Ana Ferreira",
            "Budi Santoso")
# Every word and project of the demo, for the benchmark's portfolio of 10,000 customers.
NAME_HEADS = tuple(head for heads in REGION_HEADS.values() for head in heads)
NAME_TAILS = tuple(tail for tails in SECTOR_TAILS.values() for tail in tails)
PROJECTS = tuple(project for projects in SECTOR_PROJECTS.values() for project in projects)
FIRST_NAMES = ("Elena", "Pierre", "Dewi", "Erik", "Carmen", "Ahmad", "Sofia", "Luc", "Rina", "Pablo")
LAST_NAMES = ("García", "Lefèvre", "Wijaya", "Nilsson", "Ortega", "Haddad", "Costa", "Martin")
ROLES = ("Project director", "Procurement lead", "Plant manager", "Maintenance head", "CTO")
SOURCES = ("meeting", "survey", "call", "email")

SUMMARIES = {
    "pre.data": "Sent the complete technical data pack for the {p}",
    "pre.evaluations": "Walked through the evaluation of the three options for the {p}",
    "pre.technology": "Briefed on the technology expected next year for the {p}",
    "pre.maintenance": "Explained maintenance and support needs of each {p} option",
    "pre.references": "Shared pros and cons of two similar {p} projects we ran",
    "ops.progress": "Monthly progress report on the {p}, implications spelled out",
    "ops.status": "Status review of engineering and manufacturing for the {p}",
    "ops.delays": "Presented the recovery plan for the delayed {p} deliveries",
    "ops.changes": "Agreed module changes and the post-release plan for the {p}",
    "ops.testing": "Explained the testing strategy and QC constraints of the {p}",
    "post.immediate_reply": "Same-day reply to the fault report on the {p}",
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
    skips: tuple[str, ...]      # its gaps, the first defining it (``skipped_items`` varies them per account)
    quality: tuple[int, int]    # range of quality and completeness ratings
    modes: tuple[float, float, float]  # weights of face_to_face, phone, email_fax
    mood: float                 # opinion drift per month


ARCHETYPES = (
    Archetype("exemplary", (), (4, 5), (0.5, 0.3, 0.2), 0.05),
    Archetype("steady", ("pre.references", "ops.changes", "post.efficiency"), (3, 5), (0.3, 0.4, 0.3), 0.0),
    Archetype("silent delays", ("ops.delays", "ops.testing", "pre.maintenance"), (2, 4), (0.1, 0.3, 0.6), -0.12),
    Archetype("no aftercare", ("post.training", "post.spares", "post.expert_team"), (2, 4), (0.2, 0.3, 0.5), -0.1),
)


# How much each expected response never given lowers the opinion of its stage.
GAP_WEIGHT = 0.4
# How many accounts of each archetype every twelve customers hold (a quarter each: exemplary,
# average and two kinds of neglect), in an order drawn per dozen: no pattern repeats.
ARCHETYPE_SHARES = (3, 3, 3, 3)


def archetype_of(cid: int) -> Archetype:
    """How the demo handles customer ``cid``: its place in its dozen's shuffled mix of
    ``ARCHETYPE_SHARES``, seeded by the dozen, so the same customer always gets the
    same handling and every twelve customers the same mix."""
    dozen, place = divmod(cid - 1, sum(ARCHETYPE_SHARES))
    deck = [archetype for archetype, share in zip(ARCHETYPES, ARCHETYPE_SHARES) for _ in range(share)]
    random.Random(f"archetypes:{dozen}").shuffle(deck)
    return deck[place]


def skipped_items(cid: int, archetype: Archetype) -> set[str]:
    """The checklist items customer ``cid`` never gets, varied per account so the accounts
    of an archetype do not share one identical block of gaps: a steady account gets one
    of its archetype's three gaps after all; a neglected one (falling opinion) has its
    archetype's gaps and mostly one more item of the stage it neglects, so the gaps
    still go with the falling opinion."""
    rng = random.Random(f"skips:{cid}")
    skips = set(archetype.skips)
    if archetype.mood == 0:
        skips.discard(rng.choice(archetype.skips))
    elif archetype.mood < 0 and rng.random() < 0.7:
        stage = next(item.stage for item in CHECKLIST if item.key == archetype.skips[0])
        skips.add(rng.choice([item.key for item in CHECKLIST if item.stage == stage and item.key not in skips]))
    return skips


def _name(rng: random.Random, region: str, sector: str, used: set[str]) -> str:
    """A name not in ``used`` (name keys): a place of ``region`` and a word of ``sector``,
    preferring places no customer is named after yet."""
    heads = list(REGION_HEADS[region])
    rng.shuffle(heads)
    taken = {key.split()[0] for key in used}
    heads.sort(key=lambda head: name_key(head) in taken)
    tails = list(SECTOR_TAILS[sector])
    rng.shuffle(tails)
    for head in heads:
        for tail in tails:
            if name_key(f"{head} {tail}") not in used:
                return f"{head} {tail}"
    raise ValueError(f"no demo name left for {sector} in {region}")


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
    # Names come from their own stream, so the story's draws do not depend on them.
    names = random.Random(seed + 1)
    for cid in range(1, customers + 1):
        sector, region = SECTORS[cid % len(SECTORS)], REGIONS[(cid * 5) % len(REGIONS)]
        name = _name(names, region, sector, used_names)
        used_names.add(name_key(name))
        archetype = archetype_of(cid)
        skips = skipped_items(cid, archetype)
        created = anchor - dt.timedelta(days=rng.randrange(30, history_months * 30))
        projects = SECTOR_PROJECTS[sector]
        project = projects[(cid // len(SECTORS)) % len(projects)]
        out["customers"].append({
            "id": cid, "name": name, "name_key": name_key(name), "sector": sector, "region": region,
            "account_manager": MANAGERS[(cid * 3) % len(MANAGERS)],
            "acquisition_cost": float(rng.randrange(8, 120) * 1000), "created_on": created.isoformat(),
            "notes": f"{archetype.name.capitalize()} account; {project}.", "external_id": f"ERP-{10000 + cid}",
        })
        for k in range(1 + cid % 2):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            out["contacts"].append({"customer_id": cid, "name": f"{first} {last}", "role": rng.choice(ROLES),
                                    "email": f"{first[0].lower()}.{last.lower()}@example.com",
                                    "phone": f"{REGION_PHONE_PREFIXES[region]} 600 {cid:03d} {k:03d}"})
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
            wanted = [k for k in items_by_stage[stage] if k not in skips]
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
            # The customer holds each missing response of the stage against us.
            missing = sum(key in skips for key in items_by_stage[stage])
            for day in _month_days(rng, start, anchor, 0.4):
                months = (day - starts[0]).days / 30
                score = round(mood + archetype.mood * months - GAP_WEIGHT * missing + rng.gauss(0, 0.5))
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
        if queries.has_customers(db):
            return False
    build_demo(path)
    return True
