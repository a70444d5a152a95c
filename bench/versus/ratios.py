"""The comparison: Label Studio's figures over Plateau's, phase by phase, and memory per served annotator."""

from __future__ import annotations

from bench.park.cadence import THINK

SECONDS_PER_TASK = sum(THINK) / 2


def ratio(a, b):
    return round(a / b, 2) if a and b else None


def compare(p: dict, ls: dict) -> dict:
    """LS / Plateau: above 1, Plateau is faster (or lighter) by that factor."""
    lp = ls["phases"]
    rows = {
        "save (LS annotation POST / our PUT), 1 client": (lp["annotate_sequential"], p["next_stream"]["save"]),
        "next (LS GET next/ / our POST tasks/next/), stream": (lp["next_task"], p["next_stream"]["next"]),
        "per-task flow (LS POST / our submit with boxes and next), 1 client":
            (lp["annotate_sequential"], p["annotate_sequential"]["flow"]),
        "per-task flow (LS POST / our next+save+submit as 3 requests), 1 client":
            (lp["annotate_sequential"], p["next_stream"]["flow"]),
        "per-task flow, 4 clients": (lp["annotate_concurrent"], p["annotate_concurrent"]["flow"]),
    }
    out = {name: {"ls_p50_ms": l["p50_ms"], "plateau_p50_ms": o["p50_ms"], "ratio_p50": ratio(l["p50_ms"], o["p50_ms"]),
                  "ls_p95_ms": l["p95_ms"], "plateau_p95_ms": o["p95_ms"], "ratio_p95": ratio(l["p95_ms"], o["p95_ms"])}
           for name, (l, o) in rows.items()}
    for kind in ("export_coco_json_only", "export_coco_with_images"):
        out[kind + " (wall, request to file)"] = {
            "ls_s": lp[kind]["seconds_wall"], "plateau_s": p[kind]["seconds_wall"],
            "ratio": ratio(lp[kind]["seconds_wall"], p[kind]["seconds_wall"])}
    ls_tasks_s = lp["annotate_concurrent"]["req_per_s"]
    our_tasks_s = p["annotate_concurrent"]["tasks_per_s"]
    ls_pss = ls["memory_pss"]["pss_mb_peak"]["annotate_concurrent"]["total"]
    ours = p["memory"]["pss_mb_peak"]["annotate_concurrent"]
    per = {"ls": ls_pss / (ls_tasks_s * SECONDS_PER_TASK),
           "plateau_app": (ours["web"] + ours["worker"]) / (our_tasks_s * SECONDS_PER_TASK),
           "plateau_app_db": ours["total"] / (our_tasks_s * SECONDS_PER_TASK)}
    out["memory per served annotator (MB)"] = {
        "definition": f"peak PSS in the 4-client phase / (tasks per s there x {SECONDS_PER_TASK:g} s per task)",
        "ls_pss_mb": ls_pss, "ls_tasks_per_s": ls_tasks_s, "ls_annotators_served": round(ls_tasks_s * SECONDS_PER_TASK),
        "plateau_pss_mb_web_worker_db": ours, "plateau_tasks_per_s": our_tasks_s,
        "plateau_annotators_served": round(our_tasks_s * SECONDS_PER_TASK),
        **{f"mb_{k}": round(v, 2) for k, v in per.items()},
        "ratio_app": ratio(per["ls"], per["plateau_app"]), "ratio_app_db": ratio(per["ls"], per["plateau_app_db"])}
    out["ingest (not the same work: LS imports URLs, we upload and check the bytes)"] = {
        "ls_import_s": lp["import"]["seconds_wall"], "plateau_upload_s": p["ingest"]["seconds_wall"],
        "plateau_derivatives_ready_after_s": p["ingest"]["derivatives_ready_after_s"]}
    return out
