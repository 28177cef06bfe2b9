#!/usr/bin/env python3
"""A sparkcheck importer plugin: the preview tool's team roster note -> facts.

The Motion team keeps its connected TikTok accounts in a plain note, one per line:

    @maya.moves    connected     since 2026-08-01
    @skin.by.sam   disconnected

sparkcheck runs this script with the note's path and reads facts as JSON Lines from its
stdout (docs/facts.md). Lines it cannot read are passed on as facts all the same, so that
sparkcheck rejects them with the plugin's name and the line, instead of losing them.
"""
import json
import sys


def main(path):
    print(json.dumps({"fact": "header", "format": "sparkcheck-facts", "version": 1}))
    with open(path, encoding="utf-8") as note:
        for number, line in enumerate(note, start=1):
            words = line.split()
            if not words or words[0].startswith("#"):
                continue
            fact = {
                "fact": "link",
                "handle": words[0],
                "status": words[1] if len(words) > 1 else "",
                "source": {"path": path, "line": number},
            }
            if len(words) > 3 and words[2] == "since":
                fact["connected_at"] = words[3]
            print(json.dumps(fact))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: roster_to_facts.py NOTE")
    main(sys.argv[1])
