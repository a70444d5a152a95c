"""Sites read with fixed SQL (``config.rows``): every credited heartbeat, save and submit
looks up its project's site, and every energy tag its ledger rows' sites; built by the
ORM, each lookup cost ~1 ms of CPU."""

from config.rows import Reader, fetchall, fetchone, int_array
from energy.models import Site

_site = Reader(Site, "s")
_BY_IDS = f"SELECT {_site.columns} FROM {_site.table} s WHERE s.id = ANY(%s::bigint[])"
_BY_SLUG = f"SELECT {_site.columns} FROM {_site.table} s WHERE s.slug = %s"


def sites_by_id(ids) -> dict[int, Site]:
    ids = list(ids)
    return {site.pk: site for site in map(_site.build, fetchall(_BY_IDS, [int_array(ids)]))} if ids else {}


def site_with_slug(slug: str) -> Site | None:
    row = fetchone(_BY_SLUG, [slug])
    return _site.build(row) if row else None
