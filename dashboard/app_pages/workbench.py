"""查询工作台 Query workbench: browse and run the named queries, and an ad-hoc read-only SQL box.

Named queries: any of them (queries.catalogue()). The SQL box runs through emss.sqlbox.
"""

import datetime as dt
import io
import json

import duckdb
import polars as pl
import streamlit as st

import queries
from dashboard import data, export, i18n, plain, signin
from dashboard.filters import current
from emss import categories, figures, messages, sqlbox, tables

# text[] parameters whose values are known codes: offered as a pick list
CODE_PARAMS = {"districts": "district", "station_types": "station_type", "incident_types": "incident_type",
               "channels": "channel"}
# columns a suggested chart can put on its x axis, in order of preference

f = current()
lang = f.lang
if data.scope() is not None and not data.scope().sql_box:  # below the navigation too: a role without it gets nothing
    st.warning(i18n.t("out_of_scope"))
    st.stop()


def param_widget(query: queries.NamedQuery, p: queries.Param) -> object:
    """One widget per parameter, by its declared type; empty means the query's default."""
    label = f"{p.name} ({p.type})" + (" *" if p.required else "")
    key = f"wb_{query.name}_{p.name}"
    help_text = p.describe(lang) or None
    if p.type == "date":
        return st.date_input(label, value=None, key=key, help=help_text, format="YYYY-MM-DD")
    if p.type in ("int", "float"):
        return st.number_input(label, value=None, key=key, help=help_text, step=1 if p.type == "int" else None)
    if p.type == "text[]" and p.name in CODE_PARAMS:
        dimension = CODE_PARAMS[p.name]
        known = list(categories.STATION_TYPES) if dimension == "station_type" else data.choices(dimension)
        return st.multiselect(label, known, key=key, help=help_text, placeholder=i18n.t("all"),
                              format_func=lambda c: i18n.label(dimension, c, lang), select_all=False)
    return st.text_input(label, key=key, help=help_text)


def flat_for_export(frame: pl.DataFrame) -> pl.DataFrame:
    """CSV and Excel hold no nested values: structs and lists of them go out as JSON text.

    Lists of plain values stay lists (the export joins them with "；"); Parquet keeps everything as is.
    """
    def nested(dtype: pl.DataType) -> bool:
        return dtype.is_nested() and not (isinstance(dtype, pl.List) and not dtype.inner.is_nested())

    return frame.with_columns(
        pl.Series(c, [None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                      for v in frame[c].to_list()], dtype=pl.String)
        for c, t in frame.schema.items() if nested(t)
    )


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


def cli_line(query: queries.NamedQuery, params: dict[str, object]) -> str:
    parts = [f"emss query {query.name}"]
    for name, value in params.items():
        if value in (None, "", []):
            continue
        text = ",".join(value) if isinstance(value, list) else value.isoformat() if isinstance(value, dt.date) else value
        parts.append(f"-p {name}={text}")
    return " ".join(parts) + " --format csv"


st.title(i18n.t("workbench_title"))
st.markdown(i18n.t("workbench_intro"))

# ---- a named query ---------------------------------------------------------------
catalogue = queries.catalogue()
name = st.selectbox(i18n.t("workbench_pick"), list(catalogue), key="wb_query",
                    format_func=lambda n: f"{n} · {catalogue[n].titled(lang)}")
query = catalogue[name]
st.markdown(f"**{query.titled(lang)}**")
st.caption(query.describe(lang))
st.caption(i18n.t("workbench_grain", grain=query.grain_in(lang)))

params: dict[str, object] = {}
with st.container(border=True):
    if query.params:
        st.markdown(i18n.t("workbench_params"))
        columns = st.columns(min(len(query.params), 4))
        for i, p in enumerate(query.params):
            with columns[i % len(columns)]:
                params[p.name] = param_widget(query, p)
    else:
        st.caption(i18n.t("workbench_no_params"))

try:
    frame = data.run(name, **params)
except (ValueError, duckdb.Error) as e:
    st.error(i18n.t("sqlbox_error", detail=plain.md(messages.first_line(e))))
    frame = None

if frame is not None:
    st.caption(i18n.t("workbench_rows", n=f"{frame.height:,}"))
    # the query's own columns and values, as emss query gives them; a dash for what is missing
    st.dataframe(tables.without_nan(frame), hide_index=True, key="wb_result", placeholder=tables.DASH)
    stem = name.replace("/", "_")
    export.download_buttons(flat_for_export(frame), stem, key="wb_download")
    st.download_button(i18n.t("download_parquet"), export.when_clicked(f"{stem}.parquet", lambda: parquet_bytes(frame)),
                       file_name=f"{stem}.parquet", mime="application/vnd.apache.parquet", key="wb_download_parquet",
                       on_click="ignore")
    chart = figures.suggested_chart(frame, lang)
    if chart is not None:
        st.markdown(f"**{i18n.t('workbench_chart')}**")
        st.vega_lite_chart(chart, key="wb_chart")  # no Plotly: see figures.suggested_chart

st.markdown(f"**{i18n.t('workbench_sql')}**")
st.code(query.sql, language="sql")
st.markdown(f"**{i18n.t('workbench_cli')}**")
st.code(cli_line(query, params), language="bash")

def refusal_text(refused: sqlbox.Refused) -> str:
    """A refusal as one line in the user's language (the box's own bilingual text for a reason without one)."""
    key = f"sqlbox_{refused.reason}"
    if key not in i18n.STRINGS:
        return " ".join(str(refused).split())
    return i18n.t(key, detail=plain.md(" ".join(refused.detail.split())))  # DuckDB's text may quote the query or data


def adhoc_downloads(frame: pl.DataFrame) -> None:
    """CSV and Excel of the box's result, built only when clicked and only within the box's byte cap."""
    flat = flat_for_export(frame)
    cap = f"{sqlbox.BYTE_CAP / 2**20:g} MB"
    if flat.estimated_size() > sqlbox.BYTE_CAP:
        st.caption(i18n.t("sqlbox_no_download", cap=cap))
        return
    left, right, _ = st.columns([1, 1, 4])
    left.download_button(i18n.t("download_csv"), export.when_clicked("sql_result.csv", lambda: export.csv_bytes(flat)),
                         file_name="sql_result.csv", mime="text/csv", key="wb_sql_download_csv", on_click="ignore")
    right.download_button(i18n.t("download_excel"),
                          export.when_clicked("sql_result.xlsx", lambda: export.excel_bytes(flat, "sql_result")),
                          file_name="sql_result.xlsx", on_click="ignore", key="wb_sql_download_xlsx",
                          mime=export.XLSX_MIME)


# ---- ad-hoc SQL ----------------------------------------------------------------------
@st.fragment
def sql_box() -> None:
    """The SQL box on its own: running a statement or downloading its result reruns only this part,
    not the named query above it."""
    sqlbox.prepare()  # its query process starts while the statement is being written
    st.subheader(i18n.t("workbench_adhoc"))
    st.caption(i18n.t("workbench_adhoc_help", views=", ".join(sqlbox.BOX_VIEWS), cap=f"{sqlbox.ROW_CAP:,}",
                      timeout=f"{sqlbox.TIMEOUT_S:g}"))
    sql = st.text_area(i18n.t("workbench_adhoc_sql"), key="wb_sql", height=140,
                       value="select district, count(*) as incidents,\n"
                             "       avg(case when is_within_target then 1 else 0 end) as within_target_share\n"
                             "from incidents\nwhere first_arrive_at is not null\ngroup by district\norder by incidents desc")
    if st.button(i18n.t("workbench_adhoc_run"), key="wb_sql_run", type="primary"):
        signin.record("sql", sql)
        try:
            st.session_state["wb_sql_result"] = (sql, sqlbox.run(data.warehouse(), sql))
        except sqlbox.Refused as e:
            st.session_state["wb_sql_result"] = (sql, e)
        except FileNotFoundError as e:  # no warehouse: said in one line like any refusal
            st.session_state["wb_sql_result"] = (sql, sqlbox.Refused("error", e))

    # the last result stays while the SQL is unchanged (a download reruns the page)
    last = st.session_state.get("wb_sql_result")
    if last and last[0] == sql:
        outcome = last[1]
        if isinstance(outcome, sqlbox.Refused):
            st.error(refusal_text(outcome))
        else:
            if outcome.capped_by == "bytes":
                st.warning(i18n.t("sqlbox_truncated_bytes", cap=f"{sqlbox.BYTE_CAP / 2**20:g} MB",
                                  n=f"{outcome.frame.height:,}"))
            elif outcome.truncated:
                st.warning(i18n.t("workbench_adhoc_truncated", cap=f"{sqlbox.ROW_CAP:,}"))
            st.caption(i18n.t("workbench_adhoc_done", n=f"{outcome.frame.height:,}", seconds=f"{outcome.seconds:.2f}"))
            st.dataframe(tables.without_nan(outcome.frame), hide_index=True, key="wb_sql_frame", placeholder=tables.DASH)
            adhoc_downloads(outcome.frame)


sql_box()
