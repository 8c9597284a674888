"""Stage 1: pretrain the ViT on dense per-patch labels until it is nearly perfect.

Heads (training only, not exported): on the LLaVA feature layer (hidden_states[-2]) and on the
last layer (post_layernorm) a per-patch colour head (background + colours) and shape head
(background + shapes); on the feature-layer CLS token a multi-label "which colours / shapes are
in the frame" head, so CLS attention means something for CLS-based pruners.
Resumes from RUN/stage1.pt. Usage:
  python3 train_vit.py --data DATA/train --val DATA/val --run RUN [--minutes 25]
"""
import argparse
import os
import time

# Before torch loads OpenMP: spinning worker threads on a shared 2-core machine made stage-2 steps
# ~3x slower (1.45 vs 0.51 s/step, measured 2026-11-28, most of it sched_yield in the kernel).
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from common import Log, ShapesData, load_checkpoint, pick_device, save_checkpoint, setup_threads
from model import Config, Llava


class DenseHeads(nn.Module):
    def __init__(self, d, n_colors, n_shapes):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.color = nn.Linear(d, n_colors + 1)
        self.shape = nn.Linear(d, n_shapes + 1)

    def forward(self, x):
        x = self.norm(x)
        return self.color(x), self.shape(x)


class Stage1Heads(nn.Module):
    def __init__(self, c, nc, ns):
        super().__init__()
        self.feat = DenseHeads(c.v_hidden, nc, ns)
        self.last = DenseHeads(c.v_hidden, nc, ns)
        self.cls = nn.Sequential(nn.LayerNorm(c.v_hidden), nn.Linear(c.v_hidden, nc + ns))


def stage1_losses(model, heads, data, idx, device, nc, ns):
    px = data.pixels(idx, device)
    lab = torch.from_numpy(np.ascontiguousarray(data.patches[np.asarray(idx)])).to(device).long()
    col, shp = lab[..., 0].flatten(1), lab[..., 1].flatten(1)
    vm = model.vision_tower.vision_model
    hs = vm.hidden_states(px)
    fi = vm.feature_index()
    feat, last = hs[fi], vm.post_layernorm(hs[-1])
    w = torch.where(col > 0, 1.0, 0.3)
    out, stats = 0.0, {}
    for name, h, x in (('feat', heads.feat, feat), ('last', heads.last, last)):
        lc, ls = h(x[:, 1:])
        l = (F.cross_entropy(lc.transpose(1, 2), col, reduction='none') * w).mean() + \
            (F.cross_entropy(ls.transpose(1, 2), shp, reduction='none') * w).mean()
        out = out + (l if name == 'feat' else 0.5 * l)
        obj = col > 0
        stats[name + '_col'] = ((lc.argmax(-1) == col) & obj).sum().item() / max(1, obj.sum().item())
        stats[name + '_shp'] = ((ls.argmax(-1) == shp) & obj).sum().item() / max(1, obj.sum().item())
        stats[name + '_bg'] = ((lc.argmax(-1) == 0) & ~obj).sum().item() / max(1, (~obj).sum().item())
    present = torch.cat([F.one_hot(col, nc + 1)[..., 1:].amax(1), F.one_hot(shp, ns + 1)[..., 1:].amax(1)], 1).float()
    pl = heads.cls(feat[:, 0])
    out = out + 0.5 * F.binary_cross_entropy_with_logits(pl, present)
    stats['cls'] = ((pl > 0).float() == present).float().mean().item()
    return out, stats


def evaluate(model, heads, data, device, nc, ns, n=512):
    model.eval()
    agg = {}
    with torch.no_grad():
        idx = np.arange(min(n, len(data.frames)))
        for k in range(0, len(idx), 128):
            _, st = stage1_losses(model, heads, data, idx[k:k + 128], device, nc, ns)
            for a, b in st.items():
                agg.setdefault(a, []).append(b)
    model.train()
    return {a: round(float(np.mean(b)), 4) for a, b in agg.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True)
    ap.add_argument('--val', required=True)
    ap.add_argument('--run', required=True)
    ap.add_argument('--minutes', type=float, default=30)
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--target', type=float, default=0.99, help='stop when feature-layer colour and shape accuracy reach this')
    a = ap.parse_args()
    setup_threads()
    device = pick_device()
    data, val = ShapesData(a.data), ShapesData(a.val)
    nc, ns = len(data.meta['colors']), len(data.meta['shapes'])
    ckpt_path = os.path.join(a.run, 'stage1.pt')
    log = Log(os.path.join(a.run, 'stage1.log'))
    c = Config()
    model, heads = Llava(c).to(device), Stage1Heads(c, nc, ns).to(device)
    params = list(model.vision_tower.parameters()) + list(heads.parameters())
    opt = torch.optim.AdamW(params, lr=a.lr, weight_decay=0.05)
    step, rng = 0, np.random.default_rng(0)
    ck = load_checkpoint(ckpt_path, device)
    if ck:
        model.load_state_dict(ck['model'])
        heads.load_state_dict(ck['heads'])
        opt.load_state_dict(ck['opt'])
        step = ck['step']
        rng = np.random.default_rng(step + 1)
        log('resumed stage 1 at step', step)
    t_end, t_save = time.time() + a.minutes * 60, time.time()
    n_frames = len(data.frames)
    while time.time() < t_end:
        lr = a.lr * min(1.0, (step + 1) / 100)
        for g in opt.param_groups:
            g['lr'] = lr
        idx = np.sort(rng.integers(0, n_frames, a.batch))
        loss, st = stage1_losses(model, heads, data, idx, device, nc, ns)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        if step % 25 == 0:
            log(f'step {step} loss {loss.item():.4f}', {k: round(v, 3) for k, v in st.items()})
        done = time.time() >= t_end
        if step % 250 == 0 or done or time.time() - t_save > 180:
            ev = evaluate(model, heads, val, device, nc, ns)
            log('val', step, ev)
            save_checkpoint(ckpt_path, model=model.state_dict(), heads=heads.state_dict(), opt=opt.state_dict(), step=step, config=c.to_dict(), val=ev)
            t_save = time.time()
            if ev['feat_col'] >= a.target and ev['feat_shp'] >= a.target and ev['feat_bg'] >= a.target:
                log('target reached at step', step)
                break


if __name__ == '__main__':
    main()
