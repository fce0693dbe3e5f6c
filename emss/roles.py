"""Who may see what: the roles of the people who sign in, and the scope a role is held to.

    领导 leader     city-wide, every page but the workbench (which holds the SQL box) and the audit
    区级 district   one or more districts (and the city's totals); no data quality, snapshots, workbench
    站点 station    one station: its own page and its incidents
(every role also reads the KPI definitions page, 指标口径说明)
    分析员 analyst  city-wide, every page with the workbench and the SQL box
    管理员 admin    everything, accounts and the audit trail

The scope is enforced where every query passes (queries.run with a Scope), not by hiding pages:
the pages a role lists are only what its navigation offers.
"""

from __future__ import annotations

from dataclasses import dataclass

PAGES = ("overview", "response", "incidents", "stations", "station", "inventory", "prevention", "map", "coverage",
         "quality", "snapshots", "workbench", "audit", "definitions")


@dataclass(frozen=True)
class Role:
    code: str
    zh: str
    en: str
    pages: tuple[str, ...]
    city_wide: bool                     # sees every district (else: its scope's)
    topics: tuple[str, ...] | None      # query topics it may run (None: all), beyond the queries below
    queries: tuple[str, ...] = ()       # single queries it may run besides its topics


ROLES: dict[str, Role] = {r.code: r for r in (
    Role("leader", "领导", "Leadership", tuple(p for p in PAGES if p not in ("workbench", "audit")), True, None),
    Role("district", "区级", "District", ("overview", "response", "incidents", "stations", "station", "inventory",
                                          "prevention", "map", "coverage", "definitions"), False,
         ("coverage", "incidents", "inventory", "map", "meta", "overview", "prevention", "response", "stations")),
    Role("station", "站点", "Station", ("station", "incidents", "definitions"), False, ("meta",),
         ("stations/register", "stations/station_profile", "stations/station_response", "stations/station_weekly",
          "stations/station_incidents", "stations/neighbours", "inventory/station_stock", "incidents/stations",
          "incidents/list", "incidents/timeline", "response/rules", "response/station_league",
          "prevention/patrols_per_station_week", "prevention/overdue_hazards", "prevention/standard",
          "prevention/station")),
    Role("analyst", "分析员", "Analyst", tuple(p for p in PAGES if p != "audit"), True, None),
    Role("admin", "管理员", "Administrator", PAGES, True, None),
)}


@dataclass(frozen=True)
class Scope:
    """What one signed-in person may see: their role, and for the district and station roles the
    districts (and station) they are held to."""
    role: str
    districts: tuple[str, ...] = ()
    station: str | None = None

    @property
    def city_wide(self) -> bool:
        return ROLES[self.role].city_wide

    def may_open(self, page: str) -> bool:
        return page in ROLES[self.role].pages

    def may_run(self, query: str) -> bool:
        role = ROLES[self.role]
        return role.topics is None or query.split("/")[0] in role.topics or query in role.queries

    @property
    def sql_box(self) -> bool:
        return self.may_open("workbench")
