"""The reads that match a mail's or an invite's addresses to customers, through the
customers' contacts (see ``crm_core.capture``)."""

from __future__ import annotations

from . import Handle, in_list


def customers_by_email(db: Handle, addresses) -> list[int]:
    """The ids of the customers with a contact whose e-mail (any case) is one of
    ``addresses`` (lower case), in the order of the first address each matches."""
    if not addresses:
        return []
    marks, params = in_list("a", addresses)
    found = db.conn.execute(
        f"SELECT DISTINCT customer_id, LOWER(TRIM(email)) FROM contacts WHERE LOWER(TRIM(email)) IN ({marks})",
        params).fetchall()
    order = {address: n for n, address in enumerate(addresses)}
    ranked = sorted(found, key=lambda row: (order[row[1]], row[0]))
    return list(dict.fromkeys(int(row[0]) for row in ranked))


def customers_by_domain(db: Handle, domains) -> list[int]:
    """The ids of the customers with a contact whose e-mail ends in ``@`` + one of
    ``domains`` (lower case), by id."""
    if not domains:
        return []
    # LIKE's wildcards in a domain are escaped, so they match only themselves.
    clauses = " OR ".join(f"LOWER(TRIM(email)) LIKE :d{n} ESCAPE '!'" for n in range(len(domains)))
    params = {f"d{n}": "%@" + domain.replace("!", "!!").replace("%", "!%").replace("_", "!_")
              for n, domain in enumerate(domains)}
    found = db.conn.execute(f"SELECT DISTINCT customer_id FROM contacts WHERE {clauses} ORDER BY customer_id",
                            params).fetchall()
    return [int(row[0]) for row in found]
