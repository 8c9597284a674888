"""PyTorch-side accuracy of an exported model folder on a benchmark folder written by
`tokenlab bench generate` (PNG frames + samples.jsonl), per question type, next to each type's
majority-answer rate (the most common answer of that type in the same samples).
  python3 evaluate.py --model .. --bench DIR [--limit N] [--json out.json]
"""
import argparse
import collections
import json
import os

from common import setup_threads
from hf_folder import load_folder, pixels, prompt_logits


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument('--bench', required=True)
    ap.add_argument('--limit', type=int, default=0)
    ap.add_argument('--json')
    a = ap.parse_args()
    setup_threads()
    model, tok, pre = load_folder(a.model)
    with open(os.path.join(a.bench, 'samples.jsonl')) as f:
        samples = [json.loads(line) for line in f if line.strip()]
    if a.limit:
        samples = samples[:a.limit]
    hits, answers = collections.defaultdict(list), collections.defaultdict(collections.Counter)
    for s in samples:
        m = s['media']
        video = m['kind'] == 'video'
        paths = [os.path.join(a.bench, p) for p in (m['frames'] if video else [m['path']])]
        logits, _, _ = prompt_logits(model, tok, pixels(paths, pre), s['question'], video)
        pred = tok.itos[int(logits[-1].argmax())]
        hits[s['type']].append(pred == s['answer'])
        answers[s['type']][s['answer']] += 1
    rows = {}
    for t in sorted(hits):
        n = len(hits[t])
        rows[t] = {'n': n, 'accuracy': sum(hits[t]) / n, 'majority': answers[t].most_common(1)[0][1] / n}
        print(f"{t:14s} n={n:4d} acc={rows[t]['accuracy']:.3f} majority={rows[t]['majority']:.3f}")
    allh = [h for v in hits.values() for h in v]
    print(f'overall n={len(allh)} acc={sum(allh) / len(allh):.3f}')
    if a.json:
        with open(a.json, 'w') as f:
            json.dump({'accuracy': sum(allh) / len(allh), 'n': len(allh), 'byType': rows}, f, indent=2)


if __name__ == '__main__':
    main()
