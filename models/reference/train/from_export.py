"""Seed a stage-2 run folder from an exported HF folder (models/reference/ by default), for when the
run's own checkpoints are gone (a new machine): writes RUN/stage2.pt (the exported weights as
float32, the step the export names, no optimizer state and no training-only heads) and
RUN/vocab.json (the exported tokenizer's vocabulary, so token ids stay the same).
  python3 from_export.py --run RUN [--folder ../] [--best B]

train_vlm.py then resumes from it with a fresh optimizer and an LR warm-up; the training-only
heads (position, relation, video, frame auxiliaries) start from scratch, and so would the stage-1
dense heads, so keep the ViT frozen (--vit-lr-mult 0): their random weights would otherwise push
noise into it through --dense-weight. Weights exported as fp16 come back rounded to fp16.
"""
import argparse
import json
import os
import re
import struct

from common import save_checkpoint
from hf_folder import load_folder

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--run', required=True)
    ap.add_argument('--folder', default=os.path.dirname(HERE))
    ap.add_argument('--best', type=float, default=-1.0, help='held-out mean best.pt must beat (default: any)')
    a = ap.parse_args()
    if os.path.exists(os.path.join(a.run, 'stage2.pt')):
        raise SystemExit(f'{a.run}/stage2.pt exists: this would overwrite a run; use a new folder')
    model, tok, _ = load_folder(a.folder)
    with open(os.path.join(a.folder, 'model.safetensors'), 'rb') as f:
        header = json.loads(f.read(struct.unpack('<Q', f.read(8))[0]))
    m = re.search(r'step (\d+)', header.get('__metadata__', {}).get('source', ''))
    step = int(m.group(1)) if m else 0
    os.makedirs(a.run, exist_ok=True)
    with open(os.path.join(a.run, 'vocab.json'), 'w') as f:
        json.dump(tok.vocab, f, indent=0)
    save_checkpoint(os.path.join(a.run, 'stage2.pt'), model=model.state_dict(), step=step, config=model.c.to_dict(), best=a.best)
    print(f'seeded {a.run} from {a.folder} at step {step} ({len(tok)} words)')


if __name__ == '__main__':
    main()
