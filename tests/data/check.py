#!/usr/bin/env python3
"""Check data/taxonomy.json and the Vietnamese test corpora against it.

Usage: python3 tests/data/check.py [--stats]   (run from the repository root)
Exits non-zero and prints every problem found.  With --stats, prints counts
per label, tactic and category for each file (used in docs/test-data.md).
"""
import collections
import glob
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
errors = []


def err(msg):
    errors.append(msg)


def load_taxonomy():
    with open(os.path.join(ROOT, "data/taxonomy.json"), encoding="utf-8") as f:
        tax = json.load(f)
    tactics = [t["id"] for t in tax["tactics"]]
    if tactics != ["fear", "lure", "control"]:
        err("taxonomy: tactic ids must be exactly fear, lure, control")
    for t in tax["tactics"]:
        for k in ("name_vi", "name_en", "child_vi", "child_en", "signs_vi",
                  "signs_en", "advice_vi", "advice_en"):
            if not t.get(k):
                err(f"taxonomy: tactic {t['id']} lacks {k}")
        if len(t["signs_vi"]) != len(t["signs_en"]):
            err(f"taxonomy: tactic {t['id']} signs_vi/signs_en differ in length")
    if [l["id"] for l in tax["levels"]] != ["safe", "suspicious", "dangerous"]:
        err("taxonomy: level ids must be safe, suspicious, dangerous")
    cats = {}
    for c in tax["categories"]:
        cid = c["id"]
        if cid in cats:
            err(f"taxonomy: duplicate category {cid}")
        cats[cid] = c
        for k in ("name_vi", "name_en", "description_vi", "description_en",
                  "advice_vi", "advice_en", "hotlines", "typical_tactics"):
            if not c.get(k):
                err(f"taxonomy: category {cid} lacks {k}")
        for t in c["typical_tactics"]:
            if t not in tactics:
                err(f"taxonomy: category {cid}: unknown tactic {t}")
        if c.get("label") not in ("scam", "grooming"):
            err(f"taxonomy: category {cid}: label must be scam or grooming")
        for h in c["hotlines"]:
            if set(h) != {"number", "name_vi", "name_en"}:
                err(f"taxonomy: category {cid}: bad hotline {h}")
    return tactics, cats


def check_message(where, m, tactics, cats, ids):
    for k in ("id", "text", "label", "tactics", "categories", "note"):
        if k not in m:
            err(f"{where}: missing {k}")
            return
    if m["id"] in ids:
        err(f"{where}: duplicate id {m['id']}")
    ids.add(m["id"])
    if not m["text"].strip():
        err(f"{where}: empty text")
    if m["label"] not in ("scam", "grooming", "benign"):
        err(f"{where}: bad label {m['label']}")
    for t in m["tactics"]:
        if t not in tactics:
            err(f"{where}: unknown tactic {t}")
    for c in m["categories"]:
        if c not in cats:
            err(f"{where}: unknown category {c}")
    if m["label"] == "benign":
        if m["tactics"] or m["categories"]:
            err(f"{where}: benign message with tactics/categories")
    else:
        if not m["tactics"] or not m["categories"]:
            err(f"{where}: harmful message needs tactics and categories")
        labels = {cats[c]["label"] for c in m["categories"] if c in cats}
        want = "grooming" if "grooming" in labels else "scam"
        if m["label"] != want:
            err(f"{where}: label {m['label']} but categories imply {want}")


def main():
    stats = "--stats" in sys.argv
    tactics, cats = load_taxonomy()
    cat_total = collections.Counter()
    texts = {}
    for name in ("dev", "heldout"):
        path = os.path.join(ROOT, f"tests/data/vi-messages-{name}.jsonl")
        ids = set()
        labels = collections.Counter()
        tcount = collections.Counter()
        ccount = collections.Counter()
        lengths = []
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                where = f"{os.path.basename(path)}:{n}"
                try:
                    m = json.loads(line)
                except json.JSONDecodeError as e:
                    err(f"{where}: {e}")
                    continue
                check_message(where, m, tactics, cats, ids)
                if not m.get("id", "").startswith(name + "-"):
                    err(f"{where}: id must start with {name}-")
                t = m.get("text", "")
                if t in texts:
                    err(f"{where}: same text as {texts[t]}")
                texts[t] = where
                labels[m.get("label")] += 1
                for t in m.get("tactics", []):
                    tcount[t] += 1
                for c in m.get("categories", []):
                    ccount[c] += 1
                    cat_total[c] += 1
                lengths.append(len(m.get("text", "")))
        total = sum(labels.values())
        if total < 160:
            err(f"{path}: only {total} messages (need >= 160)")
        if stats:
            print(f"## {os.path.basename(path)}: {total} messages")
            for k, v in sorted(labels.items()):
                print(f"  label {k}: {v} ({100 * v / total:.0f}%)")
            for k in tactics:
                print(f"  tactic {k}: {tcount[k]}")
            for k in cats:
                print(f"  category {k}: {ccount[k]}")
            lengths.sort()
            print(f"  text length: min {lengths[0]}, median {lengths[len(lengths) // 2]}, max {lengths[-1]}")
    for c in cats:
        if cat_total[c] < 5:
            err(f"category {c}: only {cat_total[c]} messages across dev+heldout (need >= 5)")
    if stats:
        print("## dev + heldout per category")
        for c in cats:
            print(f"  {c}: {cat_total[c]}")

    # Conversations.
    cdir = os.path.join(ROOT, "tests/data/vi-conversations")
    with open(os.path.join(cdir, "index.json"), encoding="utf-8") as f:
        index = json.load(f)
    listed = set()
    for e in index:
        fn = e.get("file")
        listed.add(fn)
        where = f"index.json:{fn}"
        if e.get("label") not in ("scam", "grooming", "benign"):
            err(f"{where}: bad label")
        for c in e.get("categories", []):
            if c not in cats:
                err(f"{where}: unknown category {c}")
        if (e["label"] == "benign") != (e.get("dangerous_from_turn") is None):
            err(f"{where}: dangerous_from_turn must be null exactly for benign")
        if e["label"] == "benign" and e.get("categories"):
            err(f"{where}: benign conversation with categories")
        turns = []
        try:
            with open(os.path.join(cdir, fn), encoding="utf-8") as cf:
                for n, line in enumerate(cf, 1):
                    try:
                        t = json.loads(line)
                    except json.JSONDecodeError as ex:
                        err(f"{fn}:{n}: {ex}")
                        continue
                    if set(t) != {"speaker", "text", "time"}:
                        err(f"{fn}:{n}: keys must be speaker, text, time")
                    turns.append(t)
        except OSError as ex:
            err(f"{where}: {ex}")
            continue
        if not 8 <= len(turns) <= 30:
            err(f"{fn}: {len(turns)} turns (need 8-30)")
        times = [t["time"] for t in turns]
        if times != sorted(times):
            err(f"{fn}: times not in order")
        d = e.get("dangerous_from_turn")
        if d is not None and not 1 <= d <= len(turns):
            err(f"{where}: dangerous_from_turn {d} out of range")
        if stats:
            print(f"conversation {fn}: {len(turns)} turns, {e['label']}, dangerous from {d}")
    for p in glob.glob(os.path.join(cdir, "*.jsonl")):
        if os.path.basename(p) not in listed:
            err(f"{p}: not listed in index.json")

    for e in errors:
        print("ERROR:", e, file=sys.stderr)
    if errors:
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
