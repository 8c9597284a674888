"""Shared helpers for the trainer: data access, pixel normalisation, checkpoints, logging.

Training data comes from the TypeScript generator:
  npx tokenlab bench generate --format train --split train --count 50000 --videos 10000 --out DIR
which writes frames.u8 / patches.u8 / scenes.jsonl / meta.json (src/engine/bench/trainExport.ts).
"""
import json
import os
import time

import numpy as np
import torch

IMAGE_MEAN = [0.5, 0.5, 0.5]
IMAGE_STD = [0.5, 0.5, 0.5]


def pick_device():
    return torch.device('cuda' if torch.cuda.is_available() else 'cpu')


def setup_threads():
    if not torch.cuda.is_available():
        torch.set_num_threads(int(os.environ.get('TRAIN_THREADS', '2')))


class ShapesData:
    """Memory-mapped view of one training export folder."""

    def __init__(self, root):
        self.root = root
        with open(os.path.join(root, 'meta.json')) as f:
            self.meta = json.load(f)
        s, g = self.meta['size'], self.meta['grid']
        self.size, self.grid = s, g
        self.frames = np.memmap(os.path.join(root, 'frames.u8'), dtype=np.uint8, mode='r').reshape(-1, s, s, 3)
        self.patches = np.memmap(os.path.join(root, 'patches.u8'), dtype=np.uint8, mode='r').reshape(-1, g, g, 3)
        with open(os.path.join(root, 'scenes.jsonl')) as f:
            self.scenes = [json.loads(line) for line in f if line.strip()]
        self.image_ids = [i for i, s_ in enumerate(self.scenes) if s_['kind'] == 'image']
        self.video_ids = [i for i, s_ in enumerate(self.scenes) if s_['kind'] == 'video']

    def pixels(self, frame_idx, device):
        """uint8 frames at the given indices -> normalised float [N,3,H,W] on device."""
        x = torch.from_numpy(np.ascontiguousarray(self.frames[np.asarray(frame_idx)])).to(device)
        x = x.permute(0, 3, 1, 2).float() / 255.0
        mean = torch.tensor(IMAGE_MEAN, device=device)[None, :, None, None]
        std = torch.tensor(IMAGE_STD, device=device)[None, :, None, None]
        return (x - mean) / std


class Log:
    def __init__(self, path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.f = open(path, 'a')
        self.t0 = time.time()

    def __call__(self, *a):
        line = time.strftime('%H:%M:%S') + ' ' + ' '.join(str(x) for x in a)
        print(line, flush=True)
        self.f.write(line + '\n')
        self.f.flush()


def save_checkpoint(path, **state):
    tmp = path + '.tmp'
    torch.save(state, tmp)
    os.replace(tmp, path)


def load_checkpoint(path, device):
    if not os.path.exists(path):
        return None
    return torch.load(path, map_location=device)
