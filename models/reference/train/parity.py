"""Write PyTorch reference logits of the exported model for a few fixed inputs, for the engine's
parity test (max |diff| <= 1e-3). Inputs are samples of the built-in test split, which the engine
regenerates bit-for-bit from its seed:
  npx tokenlab bench generate --split test --count 3 --videos 1 --out /tmp/parity-bench
  python3 parity.py --bench /tmp/parity-bench [--model ..] [--out ../../../test/fixtures/reference-parity.json]
"""
import argparse
import hashlib
import json
import os

import torch

from hf_folder import load_folder, pixels, prompt_logits

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def r(x, d=6):
    return [round(float(v), d) for v in x]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', default=os.path.join(ROOT, 'models', 'reference'))
    ap.add_argument('--bench', required=True)
    ap.add_argument('--ids', default='img-00000,img-00001,img-00002,vid-00000')
    ap.add_argument('--out', default=os.path.join(ROOT, 'test', 'fixtures', 'reference-parity.json'))
    a = ap.parse_args()
    torch.set_num_threads(1)
    model, tok, pre = load_folder(a.model)
    with open(os.path.join(a.bench, 'samples.jsonl')) as f:
        samples = {s['id']: s for s in (json.loads(line) for line in f if line.strip())}
    with open(os.path.join(a.model, 'model.safetensors'), 'rb') as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    out = []
    for sid in a.ids.split(','):
        s = samples[sid]
        m = s['media']
        video = m['kind'] == 'video'
        paths = [os.path.join(a.bench, p) for p in (m['frames'] if video else [m['path']])]
        logits, ids, vis = prompt_logits(model, tok, pixels(paths, pre), s['question'], video)
        n_vis = ids.count(-1)
        first = ids.index(-1)
        out.append({
            'id': sid, 'kind': m['kind'], 'question': s['question'], 'answer': s['answer'],
            'predicted': tok.itos[int(logits[-1].argmax())],
            'promptIds': {'before': ids[:first], 'visualTokens': n_vis, 'after': ids[first + n_vis:]},
            'lastLogits': r(logits[-1]),
            'firstAfterVisualLogits': r(logits[first + n_vis]),
            'visual': {'first': r(vis[0, :16]), 'last': r(vis[-1, :16]), 'sum': round(float(vis.sum()), 4)},
        })
    doc = {
        'why': 'Guards the engine against drifting from PyTorch on the shipped reference model: ViT, '
               'feature-layer selection, video pooling, projector, RoPE decoder and prompt layout.',
        'generatedBy': 'models/reference/train/parity.py',
        'model': 'models/reference', 'modelSha256': digest,
        'bench': {'name': 'shapes:test', 'seed': 3003, 'note': 'ids refer to `tokenlab bench generate --split test`'},
        'tolerance': 1e-3, 'samples': out,
    }
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, 'w') as f:
        json.dump(doc, f, indent=1)
    print('wrote', a.out, os.path.getsize(a.out), 'bytes')


if __name__ == '__main__':
    main()
