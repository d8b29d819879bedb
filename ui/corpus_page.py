"""The knowledge-base view: searchable document table, coverage charts by sector and region, ingest failures."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from ui.corpus import CorpusSummary, coverage, search_documents
from ui.i18n import doc_type_label, t


def documents_frame(rows, lang: str) -> pd.DataFrame:
    """The document rows as a table with translated column names (lists kept as lists for list columns)."""
    return pd.DataFrame(
        {
            t("col_title", lang): [r.title for r in rows],
            t("col_type", lang): [doc_type_label(r.doc_type, lang) for r in rows],
            t("col_regions", lang): [list(r.regions) for r in rows],
            t("col_sectors", lang): [list(r.sectors) for r in rows],
            t("col_partners", lang): [list(r.partners) for r in rows],
            t("col_as_of", lang): [r.as_of for r in rows],
            t("col_passages", lang): [r.passages for r in rows],
            t("col_ingested", lang): [
                dt.datetime.fromtimestamp(r.ingested_at) if r.ingested_at else None for r in rows
            ],
            t("col_uploaded_by", lang): [r.uploaded_by for r in rows],
            t("col_doc", lang): [r.doc_id for r in rows],
        }
    )


def coverage_chart(rows, key: str, measure: str, lang: str) -> alt.Chart:
    """Horizontal bars: documents or passages per value of ``key`` (``sectors`` / ``regions``)."""
    data = pd.DataFrame(coverage(rows, key), columns=["value", "documents", "passages"])
    label = t(measure, lang)
    return (
        alt.Chart(data)
        .mark_bar(color="#0F6E5C", cornerRadiusEnd=2)
        .encode(
            x=alt.X(f"{measure}:Q", title=label, axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("value:N", sort="-x", title=None, axis=alt.Axis(labelOverlap=False, labelLimit=180)),
            tooltip=[
                alt.Tooltip("value:N", title=t("col_sectors" if key == "sectors" else "col_regions", lang)),
                alt.Tooltip("documents:Q", title=t("documents", lang)),
                alt.Tooltip("passages:Q", title=t("passages", lang)),
            ],
        )
        .properties(height=alt.Step(24))
    )


def corpus_page(summary: CorpusSummary, lang: str) -> None:
    """Draw the knowledge-base view."""
    st.header(t("corpus_title", lang), anchor=False)
    cols = st.columns([2, 1, 1])
    text = cols[0].text_input(t("corpus_search", lang), key="corpus_q")
    types = cols[1].multiselect(
        t("doc_types", lang),
        summary.options.get("doc_types", ()),
        format_func=lambda v: doc_type_label(v, lang),
        key="corpus_types",
        placeholder=t("any", lang),
    )
    regions = cols[2].multiselect(
        t("regions", lang), summary.options.get("regions", ()), key="corpus_regions", placeholder=t("any", lang)
    )
    rows = search_documents(summary.documents, text, types, regions)
    st.subheader(f"{t('corpus_docs', lang)} ({len(rows)}/{len(summary.documents)})", anchor=False)
    if rows:
        frame = documents_frame(rows, lang)
        st.dataframe(
            frame,
            hide_index=True,
            width="stretch",
            column_config={
                t("col_ingested", lang): st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
                t("col_passages", lang): st.column_config.NumberColumn(width="small"),
                t("col_title", lang): st.column_config.TextColumn(width="medium"),
            },
        )
    else:
        st.info(t("corpus_none", lang))
    st.subheader(t("corpus_coverage", lang), anchor=False)
    measure = st.segmented_control(
        t("corpus_what", lang),
        ["documents", "passages"],
        format_func=lambda m: t(m, lang),
        default="documents",
        required=True,
        key="corpus_measure",
    )
    left, right = st.columns(2)
    for col, key, title in ((left, "sectors", "corpus_by_sector"), (right, "regions", "corpus_by_region")):
        with col:
            st.markdown(f"**{t(title, lang)}**")
            if any(getattr(r, key) for r in rows):
                st.altair_chart(coverage_chart(rows, key, measure or "documents", lang), width="stretch")
            else:
                st.caption("—")
    st.subheader(t("corpus_failures", lang), anchor=False)
    if summary.failures:
        st.dataframe(
            pd.DataFrame(summary.failures, columns=[t("col_doc", lang), t("col_reason", lang)]),
            hide_index=True,
            width="stretch",
        )
    else:
        st.success(t("corpus_no_failures", lang))
