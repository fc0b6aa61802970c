"""Which column of a file fills which field: the fields of each kind of import,
the header names each field is recognised by, and the mapping to offer (the
one last used with the same headers, else a guess).
"""

from __future__ import annotations

import json

from .. import validation
from ..i18n import N_
from ..storage import io_queries
from ..validation import ValidationError
from .cells import folded
from .reading import RawTable

KINDS = ("customers", "responses", "opinions")

# The fields a file can fill, per kind. Responses and opinions name their
# customer by ``customer`` (the name) or ``external_id``.
FIELDS: dict[str, tuple[str, ...]] = {
    "customers": ("name", "external_id", "sector", "region", "account_manager", "acquisition_cost",
                  "created_on", "notes"),
    "responses": ("customer", "external_id", "stage", "responded_on", "mode", "items", "quality",
                  "completeness", "summary"),
    "opinions": ("customer", "external_id", "stage", "opinion_on", "score", "source", "note"),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "customers": ("name",),
    "responses": ("stage", "responded_on", "mode", "quality", "completeness", "summary"),
    "opinions": ("stage", "opinion_on", "score"),
}

# Header names each field is recognised by (compared without case, accents or
# punctuation): English, Spanish, French and Indonesian words, then the column names
# of the customer exports of common CRMs (HubSpot companies: "Record ID", "Company
# name", "Company owner", "Create Date", "Country/Region"; Salesforce and Zoho
# accounts: "Account ID"/"Record Id", "Account Name", "Account Owner", "Created
# Date"/"Created Time", "Billing Country"; Pipedrive organizations: "Organization -
# Name" ...; Odoo contacts: "ID", "Display Name", "Salesperson", "Created on";
# Dynamics 365 accounts: "Account Number", "Owner", "Created On", "Address 1:
# Country/Region"). The field's own name always counts; earlier names win.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("customer", "customer name", "client", "client name", "company", "account", "cliente",
             "nombre", "nombre cliente", "nombre del cliente", "empresa", "razon social", "nom",
             "nom du client", "nom client", "entreprise", "societe", "nama", "nama pelanggan",
             "pelanggan", "perusahaan", "nama perusahaan",
             "company name", "account name", "organization name", "display name"),
    "customer": ("customer name", "name", "client", "client name", "company", "account", "cliente",
                 "nombre cliente", "nombre del cliente", "empresa", "nom du client", "nom client",
                 "entreprise", "societe", "pelanggan", "nama pelanggan", "perusahaan", "nama perusahaan",
                 "company name", "account name", "organization name", "display name"),
    "external_id": ("external id", "erp id", "crm id", "customer code", "client code",
                    "account number", "codigo", "codigo cliente", "id externo", "code client",
                    "identifiant", "identifiant client", "reference client", "id eksternal",
                    "kode pelanggan", "record id", "account id", "organization id", "id"),
    "sector": ("industry", "sector", "industria", "secteur", "industrie", "industri", "sektor",
               "organization industry"),
    "region": ("region", "area", "territory", "zone", "zona", "territorio", "territoire", "wilayah",
               "daerah", "country", "country region", "billing country", "address 1 country region",
               "organization address country", "pais", "pays", "negara"),
    "account_manager": ("account manager", "manager", "owner", "key account manager", "kam",
                        "gestor", "gestor de cuenta", "responsable", "comercial", "commercial",
                        "responsable de compte", "charge de compte", "manajer akun", "pengelola akun",
                        "pemilik", "company owner", "account owner", "organization owner",
                        "salesperson", "vendedor", "tenaga penjual"),
    "acquisition_cost": ("acquisition cost", "cac", "coste de adquisicion", "costo de adquisicion",
                         "cout d acquisition", "cout acquisition", "biaya akuisisi"),
    "created_on": ("created", "created on", "customer since", "since", "start date", "date",
                   "fecha", "fecha alta", "fecha de alta", "alta", "date de creation", "client depuis",
                   "tanggal dibuat", "dibuat", "tanggal", "create date", "created date", "created time",
                   "organization organization created", "organization created"),
    "notes": ("note", "comments", "comment", "remarks", "notas", "comentarios", "observaciones",
              "commentaires", "remarques", "catatan", "keterangan", "description"),
    "stage": ("phase", "deal stage", "etapa", "fase", "etape", "tahap"),
    "responded_on": ("date", "response date", "responded", "day", "fecha", "fecha respuesta",
                     "fecha de respuesta", "dia", "date de reponse", "jour", "tanggal", "tanggal respons"),
    "opinion_on": ("date", "opinion date", "day", "fecha", "fecha opinion", "fecha de la opinion",
                   "dia", "date de l avis", "date avis", "jour", "tanggal", "tanggal opini"),
    "mode": ("channel", "medium", "via", "modo", "canal", "medio", "moyen", "saluran", "media", "cara"),
    "items": ("checklist", "checklist items", "item", "item keys", "topics", "elementos", "puntos",
              "temas", "elements", "points", "sujets", "butir", "daftar periksa", "topik"),
    "quality": ("q", "quality rating", "calidad", "qualite", "kualitas", "mutu"),
    "completeness": ("c", "completeness rating", "complete", "completitud", "exhaustividad",
                     "completude", "exhaustivite", "kelengkapan"),
    "summary": ("description", "subject", "text", "response", "resumen", "descripcion", "asunto",
                "texto", "respuesta", "resume", "objet", "texte", "reponse", "ringkasan", "deskripsi",
                "subjek", "tanggapan"),
    "score": ("opinion", "rating", "opinion score", "puntuacion", "valoracion", "calificacion", "avis",
              "evaluation", "appreciation", "opini", "nilai", "penilaian"),
    "source": ("origin", "fuente", "origen", "origine", "sumber"),
    "note": ("notes", "comment", "comments", "remarks", "nota", "notas", "comentario", "comentarios",
             "commentaire", "commentaires", "remarque", "catatan", "keterangan"),
}



def suggest_mapping(columns: list[str], kind: str) -> dict[str, str]:
    """Guess which column fills which field of ``kind``. Takes the file's column
    names; returns ``{field: column}`` for the fields recognised (each column used
    once; a field's own name wins over synonyms, earlier synonyms over later)."""
    fields = FIELDS[check_kind(kind)]
    by_folded: dict[str, str] = {}
    for column in columns:
        by_folded.setdefault(folded(column), column)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    # Exact field names first, so a "date" column cannot be taken by a synonym
    # when a "responded_on" column is also there.
    for rank in range(max(len(s) for s in SYNONYMS.values()) + 1):
        for name in fields:
            if name in mapping:
                continue
            names = (folded(name), *SYNONYMS.get(name, ()))
            if rank < len(names) and names[rank] in by_folded and by_folded[names[rank]] not in used:
                mapping[name] = by_folded[names[rank]]
                used.add(mapping[name])
    return {name: mapping[name] for name in fields if name in mapping}



def header_set(columns: list[str]) -> str:
    """The identity of a file's header set: its column names, sorted, as JSON."""
    return json.dumps(sorted(columns), ensure_ascii=False)


def mapping_for(db, columns: list[str], kind: str) -> dict[str, str]:
    """The mapping to offer for a file of ``kind`` with these ``columns``: the one
    last imported with the same set of headers (in any order), else
    ``suggest_mapping``. Returns ``{field: column}``."""
    saved = io_queries.saved_mapping(db, check_kind(kind), header_set(columns))
    if saved is None:
        return suggest_mapping(columns, kind)
    return {name: column for name, column in json.loads(saved).items()
            if name in FIELDS[kind] and column in columns}

def check_kind(kind: str) -> str:
    return validation.check_choice("kind", kind, KINDS)


def check_mapping(table: RawTable, kind: str, mapping: dict[str, str]) -> None:
    """Refuse (field ``mapping``) unknown fields or columns and missing required fields."""
    unknown = [f for f in mapping if f not in FIELDS[kind]]
    if unknown:
        raise ValidationError("mapping", N_("{fields} is not a field of {kind}"), fields=", ".join(unknown), kind=kind)
    absent = [c for c in mapping.values() if c not in table.columns]
    if absent:
        raise ValidationError("mapping", N_("the file has no column {columns}"), columns=", ".join(map(repr, absent)))
    missing = [f for f in REQUIRED[kind] if not mapping.get(f)]
    if kind != "customers" and not (mapping.get("customer") or mapping.get("external_id")):
        missing.insert(0, "customer or external_id")
    if missing:
        raise ValidationError("mapping", N_("choose a column for {fields}"), fields=", ".join(missing))
