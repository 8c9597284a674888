"""Stage 2: train projector + decoder on packed question blocks (ViT from stage 1, low or zero LR;
when the ViT trains, its stage-1 dense loss stays on as an auxiliary so it keeps improving).

Curriculum: easy types (colour, shape, existence, direction) first, the others ramp in over
`--ramp` steps; `--hard-mult` then weights the types that need positions or counting (relation,
count and the video types) above the easy ones, and `--rare-video-accept` makes video batches
prefer scenes that carry the rare video types. `--pos-weight` adds a position auxiliary: a linear
head (dropped at export) predicts each visual token's grid row and column from the projected token,
because a linear probe found the projector washing out the ViT's position signal (row/column
one-hot probe accuracy 0.74/0.52 on ViT features, 0.25/0.23 after the projector), which relation
and direction questions need. `--extra-videos` adds a second, video-only export folder.
`--cooldown` decays the learning rate linearly to 5% over the last minutes of the budget.
`--relation-aux W` supervises the step relation questions need: a linear head (dropped at export)
on the final hidden state where the answer is predicted must name the grid row and column of both
objects of a "where is A relative to B" question (relation had stayed at chance with the answer
alone as the signal).
`--video-aux W` does for video what the relation head did for images: a linear head (dropped at
export) on the answer state of a video question must give, for each object the question is about
(at most two), the frames it is visible in and its grid column in each of them (from the dense
per-frame labels), which is the evidence frame_count, direction, appears_last and co_present rest
on. `--frame-aux W` adds a linear probe on the visual tokens' hidden states after decoder layer
`--frame-aux-layer` that must name each token's frame, because nothing but the RoPE distance marks
where one frame's tokens end and the next begin.
`--oracle-aug P` trains on pruned inputs: with probability P an image scene's prefix keeps only the
patches covering its questions' objects (the model-card oracle, from the objects' boxes), with
compact positions, so the model learns that the answer lives in those tokens. `--video-oracle-aug P`
does the same for video scenes (the objects' pooled tokens in the frames they are on screen, from
the per-frame patch labels), and `--oracle-positions original` keeps the pruned prefixes' tokens at
their original positions, as the engine's oracle does.

Image and video batches alternate (every `--video-every`-th step, or a `--video-share` of the steps)
so video never overwrites image skills. Visual and word embeddings start at the same scale
(REFERENCE_MODEL_NOTES "scale matching"). Resumes from RUN/stage2.pt; starts from RUN/stage1.pt.
  python3 train_vlm.py --data DATA/train --val DATA/val --run RUN [--minutes 60]
"""
import argparse
import os
import time

# Before torch loads OpenMP: spinning worker threads on a shared 2-core machine made stage-2 steps
# ~3x slower (1.45 vs 0.51 s/step, measured 2026-11-28, most of it sched_yield in the kernel).
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import numpy as np
import torch
import torch.nn.functional as F

from common import Log, ShapesData, load_checkpoint, pick_device, save_checkpoint, setup_threads
from model import Config, Llava, rope_tables
from packing import pack
from tokenizer import WordTokenizer
from train_vit import Stage1Heads

EASY = {'color', 'shape', 'exist', 'direction'}
RARE_VIDEO = {'direction', 'appears_last', 'co_present'}
EMBED_STD = 0.3
# Auxiliary losses: (key in forward()'s batch dict, name in the log, weight option).
AUX_LOSSES = (('aux', 'dense', 'dense_weight'), ('pos_loss', 'pos', 'pos_weight'), ('rel_loss', 'rel', 'relation_aux'),
              ('vid_loss', 'vid', 'video_aux'), ('frame_loss', 'frame', 'frame_aux'))


def dense_loss(heads, feat, data, frames, device):
    """Stage-1 per-patch colour/shape + CLS presence loss on feature-layer states (keeps teaching the ViT)."""
    lab = torch.from_numpy(np.ascontiguousarray(data.patches[frames])).to(device).long()
    col, shp = lab[..., 0].flatten(1), lab[..., 1].flatten(1)
    w = torch.where(col > 0, 1.0, 0.3)
    lc, ls = heads.feat(feat[:, 1:])
    loss = (F.cross_entropy(lc.transpose(1, 2), col, reduction='none') * w).mean() + \
        (F.cross_entropy(ls.transpose(1, 2), shp, reduction='none') * w).mean()
    nc, ns = lc.shape[-1] - 1, ls.shape[-1] - 1
    present = torch.cat([F.one_hot(col, nc + 1)[..., 1:].amax(1), F.one_hot(shp, ns + 1)[..., 1:].amax(1)], 1).float()
    return loss + 0.5 * F.binary_cross_entropy_with_logits(heads.cls(feat[:, 0]), present)


class PosHead(torch.nn.Module):
    """Training-only probe: grid row and column logits from a projected visual token."""

    def __init__(self, d, grid):
        super().__init__()
        self.grid = grid
        self.lin = torch.nn.Linear(d, 2 * grid)

    def loss(self, v, pooled, stride):
        """v [B, N, D] projected tokens of whole frames in raster order; soft targets for pooled grids."""
        g = self.grid
        gp = g // stride if pooled else g
        n_frames = v.shape[1] // (gp * gp)
        idx = torch.arange(gp * gp, device=v.device)
        r, c = idx // gp, idx % gp
        tr = torch.zeros(gp * gp, g, device=v.device)
        tc = torch.zeros(gp * gp, g, device=v.device)
        s = stride if pooled else 1
        for k in range(s):
            tr[idx, r * s + k] = 1.0 / s
            tc[idx, c * s + k] = 1.0 / s
        tr, tc = tr.repeat(n_frames, 1), tc.repeat(n_frames, 1)
        out = self.lin(F.layer_norm(v, v.shape[-1:]))  # trained tokens have large, uneven norms
        lr, lc = out[..., :g].log_softmax(-1), out[..., g:].log_softmax(-1)
        return -((lr * tr).sum(-1).mean() + (lc * tc).sum(-1).mean())


def visual_tokens(model, data, scene_list, device, vit_grad, heads=None):
    """Projected visual tokens [B, N, D] for scenes of one kind (images, or videos of equal length),
    and the dense auxiliary loss when `heads` is given and the ViT is trained."""
    frames = np.concatenate([np.arange(s['frame'], s['frame'] + s['frames']) for s in scene_list])
    px = data.pixels(frames, device)
    vm = model.vision_tower.vision_model
    fi = vm.feature_index()
    aux = None
    with torch.set_grad_enabled(vit_grad):
        feat = vm.hidden_states(px, upto=fi)[fi]
        if vit_grad and heads is not None:
            aux = dense_loss(heads, feat, data, frames, device)
    f = feat[:, 1:]
    if scene_list[0]['kind'] == 'video':
        f = model.pool_frames(f)
        f = f.reshape(len(scene_list), -1, f.shape[-1])
    return model.multi_modal_projector(f), aux


def object_cells(objects, about, grid, patch):
    """Grid cells (row-major) that the square boxes of the objects `about` cover by at least a quarter
    of a cell, or the cell under the centre when none does (as src/engine/metrics/relevance.ts)."""
    cells = set()
    for o in objects:
        if o['id'] not in about:
            continue
        h = o['size'] / 2
        x0, x1, y0, y1 = o['cx'] - h, o['cx'] + h, o['cy'] - h, o['cy'] + h
        any_ = False
        for r in range(grid):
            for c in range(grid):
                ox = min(x1, (c + 1) * patch) - max(x0, c * patch)
                oy = min(y1, (r + 1) * patch) - max(y0, r * patch)
                if ox > 0 and oy > 0 and ox * oy >= 0.25 * patch * patch:
                    cells.add(r * grid + c)
                    any_ = True
        if not any_:
            cells.add(min(grid - 1, int(o['cy'] // patch)) * grid + min(grid - 1, int(o['cx'] // patch)))
    return sorted(cells)


def relation_targets(scene, q, grid, patch):
    """(row A, col A, row B, col B) grid cells of a relation question's two objects, else None."""
    if q['type'] != 'relation' or len(q['about']) != 2:
        return None
    by_id = {o['id']: o for o in scene['objects']}
    cell = lambda v: min(grid - 1, max(0, int(v // patch)))
    a, b = by_id[q['about'][0]], by_id[q['about'][1]]
    return (cell(a['cy']), cell(a['cx']), cell(b['cy']), cell(b['cx']))


def relation_loss(rel_head, h, ans_pos, targets, grid):
    """Cross-entropy of the four grid coordinates predicted from the answer positions' hidden states."""
    rows = [(bi, p, targets[bi][k]) for bi, p, k in ans_pos if targets[bi][k] is not None]
    if not rows:
        return None
    hb = torch.stack([h[bi, p] for bi, p, _ in rows])
    tgt = torch.tensor([t for _, _, t in rows], device=h.device)
    out = rel_head(hb).reshape(len(rows), 4, grid)
    return F.cross_entropy(out.reshape(-1, grid), tgt.reshape(-1))


def video_targets(data, scene, q):
    """Per object the video question is about (at most two; None when unusable): visibility per frame
    and grid column per frame (-100 where absent or where another object has the same colour and
    shape, so the dense labels cannot tell them apart), from the per-frame patch labels."""
    if scene['kind'] != 'video':
        return None
    tracks = {t['id']: t for t in scene['tracks']}
    nf, g = scene['frames'], data.grid
    out = []
    for tid in q['about'][:2]:
        t = tracks[tid]
        vis = [1.0 if t['start'] <= f < t['end'] else 0.0 for f in range(nf)]
        cols = [-100] * nf
        if sum(1 for o in scene['tracks'] if o['color'] == t['color'] and o['shape'] == t['shape']) == 1:
            ci, si = data.meta['colors'].index(t['color']) + 1, data.meta['shapes'].index(t['shape']) + 1
            for f in range(t['start'], t['end']):
                lab = data.patches[scene['frame'] + f]
                rr, cc = np.nonzero((lab[..., 0] == ci) & (lab[..., 1] == si))
                if len(cc):
                    cols[f] = int(round(float(cc.mean())))
        out.append((vis, cols))
    return out


def video_loss(vid_head, h, ans_pos, targets, n_frames, grid):
    """BCE on each asked object's per-frame visibility plus cross-entropy on its column where visible,
    predicted from the answer positions' hidden states."""
    hs, vis, cols, slot_ok = [], [], [], []
    for bi, p, k in ans_pos:
        tg = targets[bi][k]
        if not tg:
            continue
        hs.append(h[bi, p])
        v = torch.zeros(2, n_frames)
        c = torch.full((2, n_frames), -100, dtype=torch.long)
        ok = torch.zeros(2)
        for j, (vj, cj) in enumerate(tg):
            v[j], c[j], ok[j] = torch.tensor(vj), torch.tensor(cj), 1.0
        vis.append(v), cols.append(c), slot_ok.append(ok)
    if not hs:
        return None
    dev = h.device
    out = vid_head(torch.stack(hs)).reshape(len(hs), 2, n_frames, 1 + grid)
    vis, cols, slot_ok = torch.stack(vis).to(dev), torch.stack(cols).to(dev), torch.stack(slot_ok).to(dev)
    bce = F.binary_cross_entropy_with_logits(out[..., 0], vis, reduction='none').mean(-1)
    loss = (bce * slot_ok).sum() / slot_ok.sum()
    if (cols >= 0).any():
        loss = loss + F.cross_entropy(out[..., 1:].reshape(-1, grid), cols.reshape(-1), ignore_index=-100)
    return loss


def decode_with_probe(model, emb, pos, mask, probe_layer):
    """The decoder's final normed hidden states, and the residual stream after layer `probe_layer`
    (None when the layer is out of range)."""
    lm = model.language_model
    cos, sin = rope_tables(pos, model.c.t_hidden // model.c.t_heads, model.c.rope_theta)
    x, mid = emb, None
    for i, layer in enumerate(lm.model.layers):
        x = layer(x, cos, sin, mask)
        if i + 1 == probe_layer:
            mid = x
    return lm.model.norm(x), mid


def forward(model, tok, data, scene_list, qa_lists, device, vit_grad=False, heads=None, pos_head=None, keep=None,
            rel_head=None, rel_targets=None, vid_head=None, vid_targets=None, frame_head=None, frame_layer=0,
            keep_original_positions=False):
    """`keep`: optional per-sequence lists of visual token indices (None = all) for pruned prefixes,
    at compact positions or, with `keep_original_positions`, at their original ones;
    `rel_head` + `rel_targets` (per sequence, per picked question) add b['rel_loss']; `vid_head` +
    `vid_targets` add b['vid_loss']; `frame_head` on video batches adds b['frame_loss']."""
    v, aux = visual_tokens(model, data, scene_list, device, vit_grad, heads)
    n = v.shape[1]
    lengths = [n if k is None else len(k) for k in keep] if keep else n
    b = pack(tok, lengths, qa_lists, visual_pos=keep if keep and keep_original_positions else None, n_full=n)
    b['aux'] = aux
    b['pos_loss'] = pos_head.loss(v, scene_list[0]['kind'] == 'video', model.c.pool_stride) if pos_head is not None else None
    ids = b['ids'].to(device)
    emb = model.language_model.model.embed_tokens(ids)
    s = b['visual_start']
    if keep:
        rows = []
        for i, k in enumerate(keep):
            vi = v[i] if k is None else v[i, torch.tensor(k, dtype=torch.long, device=v.device)]
            rows.append(torch.cat([emb[i, :s], vi, emb[i, s + vi.shape[0]:]], 0))
        emb = torch.stack(rows)
    else:
        emb = torch.cat([emb[:, :s], v, emb[:, s + n:]], 1)
    video = scene_list[0]['kind'] == 'video'
    probe = frame_layer if frame_head is not None and video and not keep else 0
    h, mid = decode_with_probe(model, emb, b['pos'].to(device), b['mask'].to(device), probe)
    logits = model.language_model.lm_head(h)
    b['rel_loss'] = relation_loss(rel_head, h, b['ans_pos'], rel_targets, model.c.grid) if rel_head is not None and rel_targets else None
    b['vid_loss'] = video_loss(vid_head, h, b['ans_pos'], vid_targets, scene_list[0]['frames'], model.c.grid) \
        if vid_head is not None and video and vid_targets else None
    b['frame_loss'] = None
    if mid is not None:
        per_frame = n // scene_list[0]['frames']
        vis_h = mid[:, s:s + n]
        tgt = torch.arange(n, device=vis_h.device) // per_frame
        logits_f = frame_head(F.layer_norm(vis_h, vis_h.shape[-1:]))  # the residual stream's norms are large and uneven
        b['frame_loss'] = F.cross_entropy(logits_f.reshape(-1, frame_head.out_features), tgt.repeat(vis_h.shape[0]))
    return logits, b


def type_weight(t, step, ramp, hard_mult=1.0):
    return 1.0 if t in EASY else min(1.0, 0.15 + step / max(1, ramp)) * hard_mult


def video_object_tokens(data, scene, about, stride):
    """Visual tokens of a video (frame-major, each frame's grid pooled `stride`×`stride`) whose pooled
    cell holds a patch labelled with the colour and shape of an object in `about`, in the frames the
    object is on screen: the oracle's tokens, from the per-frame patch labels instead of boxes."""
    side = data.grid // stride
    tracks = {t['id']: t for t in scene['tracks']}
    out = set()
    for tid in about:
        t = tracks[tid]
        ci, si = data.meta['colors'].index(t['color']) + 1, data.meta['shapes'].index(t['shape']) + 1
        for f in range(t['start'], t['end']):
            lab = data.patches[scene['frame'] + f]
            rr, cc = np.nonzero((lab[..., 0] == ci) & (lab[..., 1] == si))
            for r, c in zip(rr, cc):
                out.add(f * side * side + (int(r) // stride) * side + int(c) // stride)
    return sorted(out)


def sample_batch(data, rng, kind, n, k, step, ramp, hard_mult=1.0, rare_accept=1.0, oracle_aug=0.0, video_oracle_aug=0.0, stride=2):
    """Scenes and their picked (question, answer) lists; with `oracle_aug` (images) and
    `video_oracle_aug` (videos), also per-scene kept visual tokens (None = all): an oracle-pruned
    scene gets one or two questions and only the tokens covering their objects. Also per picked
    question the relation and video auxiliary targets."""
    ids = data.image_ids if kind == 'image' else data.video_ids
    scenes, qas, keep, rel, vid = [], [], [], [], []
    while len(scenes) < n:
        s = data.scenes[ids[rng.integers(len(ids))]]
        qs = s['questions']
        if not qs:
            continue
        if kind == 'video' and rare_accept < 1.0 and not any(q['type'] in RARE_VIDEO for q in qs) and rng.random() > rare_accept:
            continue
        w = np.array([type_weight(q['type'], step, ramp, hard_mult) for q in qs])
        # A video draws only when its option is on, so runs without it sample as they always did.
        pruned = rng.random() < oracle_aug if kind == 'image' else (video_oracle_aug > 0 and rng.random() < video_oracle_aug)
        pick = rng.choice(len(qs), size=min(int(rng.integers(1, 3)) if pruned else k, len(qs)), replace=False, p=w / w.sum())
        scenes.append(s)
        qas.append([(qs[i]['question'], qs[i]['answer']) for i in pick])
        rel.append([relation_targets(s, qs[i], data.grid, data.meta['patch']) if kind == 'image' else None for i in pick])
        vid.append([video_targets(data, s, qs[i]) for i in pick] if kind == 'video' else [None] * len(pick))
        if pruned:
            about = {a for i in pick for a in qs[i]['about']}
            keep.append(object_cells(s['objects'], about, data.grid, data.meta['patch']) if kind == 'image' else video_object_tokens(data, s, about, stride))
        else:
            keep.append(None)
    return scenes, qas, (keep if any(x is not None for x in keep) else None), rel, vid


def evaluate(model, tok, data, device, n_img=300, n_vid=150):
    """Held-out accuracy per question type over every question of the first n scenes of each kind."""
    model.eval()
    hits = {}
    with torch.no_grad():
        for ids, bs in ((data.image_ids[:n_img], 16), (data.video_ids[:n_vid], 8)):
            for i in range(0, len(ids), bs):
                scenes = [data.scenes[j] for j in ids[i:i + bs]]
                scenes = [s for s in scenes if s['questions']]
                if not scenes:
                    continue
                qas = [[(q['question'], q['answer']) for q in s['questions']] for s in scenes]
                logits, b = forward(model, tok, data, scenes, qas, device)
                for (bi, p, k) in b['ans_pos']:
                    q = scenes[bi]['questions'][k]
                    pred = tok.itos[int(logits[bi, p].argmax())]
                    hits.setdefault(q['type'], []).append(pred == q['answer'])
    model.train()
    acc = {t: round(float(np.mean(h)), 3) for t, h in sorted(hits.items())}
    acc['n'] = sum(len(h) for h in hits.values())
    return acc


def evaluate_oracle(model, tok, data, device, original_positions, n_img=150, n_vid=100, bs=16):
    """Held-out accuracy per question type when each question sees only its objects' tokens (the
    oracle prefixes sample_batch trains on: object_cells for images, video_object_tokens for videos),
    one sequence per question, at original or compact positions."""
    model.eval()
    hits = {}
    with torch.no_grad():
        for ids in (data.image_ids[:n_img], data.video_ids[:n_vid]):
            items = []
            for j in ids:
                sc = data.scenes[j]
                for q in sc['questions']:
                    about = set(q['about'])
                    cells = object_cells(sc['objects'], about, data.grid, data.meta['patch']) if sc['kind'] == 'image' \
                        else video_object_tokens(data, sc, about, model.c.pool_stride)
                    items.append((sc, q, cells))
            for i in range(0, len(items), bs):
                chunk = items[i:i + bs]
                logits, b = forward(model, tok, data, [c[0] for c in chunk], [[(c[1]['question'], c[1]['answer'])] for c in chunk],
                                    device, keep=[c[2] for c in chunk], keep_original_positions=original_positions)
                for (bi, p, _) in b['ans_pos']:
                    q = chunk[bi][1]
                    hits.setdefault(q['type'], []).append(tok.itos[int(logits[bi, p].argmax())] == q['answer'])
    model.train()
    acc = {t: round(float(np.mean(h)), 3) for t, h in sorted(hits.items())}
    acc['n'] = sum(len(h) for h in hits.values())
    return acc


def calibrate_projector(model, data, device):
    """Scale linear_2 so projected visual tokens have the word embeddings' per-element std."""
    with torch.no_grad():
        v, _ = visual_tokens(model, data, [data.scenes[i] for i in data.image_ids[:32]], device, False)
        k = EMBED_STD / v.std().item()
        model.multi_modal_projector.linear_2.weight.mul_(k)
        model.multi_modal_projector.linear_2.bias.mul_(k)
        torch.nn.init.normal_(model.language_model.model.embed_tokens.weight, std=EMBED_STD)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True)
    ap.add_argument('--val', required=True)
    ap.add_argument('--run', required=True)
    ap.add_argument('--minutes', type=float, default=60)
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--video-batch', type=int, default=6)
    ap.add_argument('--video-every', type=int, default=4)
    ap.add_argument('--video-share', type=float, default=0.0, help='fraction of steps that are video batches, spread evenly (overrides --video-every when > 0)')
    ap.add_argument('--questions', type=int, default=6)
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--vit-lr-mult', type=float, default=0.0, help='0 freezes the ViT (cheapest on CPU)')
    ap.add_argument('--ramp', type=int, default=1500)
    ap.add_argument('--dense-weight', type=float, default=0.5, help='stage-1 dense loss kept on image batches when the ViT trains')
    ap.add_argument('--eval-every', type=int, default=400)
    ap.add_argument('--hard-mult', type=float, default=1.0, help='weight of relation/count/video-type questions relative to the easy ones')
    ap.add_argument('--rare-video-accept', type=float, default=1.0, help='acceptance rate of video scenes without a rare video type')
    ap.add_argument('--pos-weight', type=float, default=0.0, help='weight of the position auxiliary on projected tokens (0: off)')
    ap.add_argument('--extra-videos', default=None, help='a second, video-only training export folder')
    ap.add_argument('--relation-aux', type=float, default=0.0, help='weight of the relation auxiliary (object grid cells from the answer state)')
    ap.add_argument('--oracle-aug', type=float, default=0.0, help='probability that an image scene is trained on its oracle-pruned prefix')
    ap.add_argument('--video-oracle-aug', type=float, default=0.0, help='the same for a video scene (its objects\' tokens in the frames they are on screen)')
    ap.add_argument('--oracle-positions', choices=['compact', 'original'], default='compact', help='positions of an oracle-pruned prefix\'s tokens (the model card\'s oracle keeps original ones)')
    ap.add_argument('--video-aux', type=float, default=0.0, help='weight of the video auxiliary (asked objects: visible frames and column per frame)')
    ap.add_argument('--frame-aux', type=float, default=0.0, help='weight of the frame-index probe on visual tokens after decoder layer --frame-aux-layer')
    ap.add_argument('--frame-aux-layer', type=int, default=2)
    ap.add_argument('--cooldown', type=float, default=0.0, help='minutes at the end of the budget over which the LR decays to 5%%')
    ap.add_argument('--oracle-eval', action='store_true', help='also evaluate held-out oracle prefixes (at --oracle-positions); best.pt then keeps the best mean of the unpruned and oracle means')
    a = ap.parse_args()
    setup_threads()
    device = pick_device()
    data, val = ShapesData(a.data), ShapesData(a.val)
    extra = ShapesData(a.extra_videos) if a.extra_videos else None
    tok = WordTokenizer.load_or_build(os.path.join(a.run, 'vocab.json'), data.scenes, data.meta)
    log = Log(os.path.join(a.run, 'stage2.log'))
    c = Config(vocab_size=len(tok))
    model = Llava(c).to(device)
    heads = Stage1Heads(c, len(data.meta['colors']), len(data.meta['shapes'])).to(device)
    pos_head = PosHead(c.t_hidden, c.grid).to(device) if a.pos_weight > 0 else None
    rel_head = torch.nn.Linear(c.t_hidden, 4 * c.grid).to(device) if a.relation_aux > 0 else None
    vid_head = torch.nn.Linear(c.t_hidden, 2 * c.num_frames * (1 + c.grid)).to(device) if a.video_aux > 0 else None
    frame_head = torch.nn.Linear(c.t_hidden, c.num_frames).to(device) if a.frame_aux > 0 else None
    ck2 = load_checkpoint(os.path.join(a.run, 'stage2.pt'), device)
    if not ck2:
        ck1 = load_checkpoint(os.path.join(a.run, 'stage1.pt'), device)
        vt = {k: v for k, v in ck1['model'].items() if k.startswith('vision_tower.')}
        model.load_state_dict(vt, strict=False)
        heads.load_state_dict(ck1['heads'])
        calibrate_projector(model, data, device)
        log('stage 2 starts from stage 1 step', ck1['step'], 'vocab', len(tok), 'stage 1 val', ck1.get('val'))
    vit_params = list(model.vision_tower.parameters())
    rest = [p for n, p in model.named_parameters() if not n.startswith('vision_tower.')]
    groups = [{'params': rest, 'mult': 1.0}]
    if pos_head is not None:
        groups.append({'params': list(pos_head.parameters()), 'mult': 1.0})
    if a.vit_lr_mult > 0:
        groups.append({'params': vit_params + list(heads.parameters()), 'mult': a.vit_lr_mult})
    else:
        for p in vit_params:
            p.requires_grad_(False)
    opt = torch.optim.AdamW(groups, lr=a.lr, weight_decay=0.01)

    # Training-only heads added after the base groups, always in this order. Those the checkpoint
    # already has join the optimizer before its state is loaded, the new ones after, so a checkpoint
    # saved with fewer heads keeps its optimizer state.
    late = [(n, h) for n, h in (('rel_head', rel_head), ('vid_head', vid_head), ('frame_head', frame_head)) if h is not None]

    def add_group(head):
        groups.append({'params': list(head.parameters()), 'mult': 1.0})
        opt.add_param_group(groups[-1])

    in_ck = [(n, h) for n, h in late if ck2 and n in ck2]
    for _, h in in_ck:
        add_group(h)
    step, best, warm_from = 0, -1.0, 0
    if ck2:
        model.load_state_dict(ck2['model'])
        if 'heads' in ck2:
            heads.load_state_dict(ck2['heads'])
        if pos_head is not None and 'pos_head' in ck2:
            pos_head.load_state_dict(ck2['pos_head'])
        for n, h in in_ck:
            h.load_state_dict(ck2[n])
        step, best = ck2['step'], ck2.get('best', -1.0)
        try:
            opt.load_state_dict(ck2['opt'])
        except (KeyError, ValueError):
            # No state (a run seeded by from_export.py) or one saved with other options.
            warm_from = step
            log('no compatible optimizer state in the checkpoint; fresh optimizer, LR warm-up again')
        log('resumed stage 2 at step', step)
    for n, h in late:
        if (n, h) not in in_ck:
            add_group(h)
    rng = np.random.default_rng(1000 + step)
    t_end, t_save = time.time() + a.minutes * 60, time.time()
    run_loss, run_acc, t_last = [], [], time.time()
    running = {name: [] for _, name, _ in AUX_LOSSES}
    n_extra = len(extra.video_ids) if extra else 0
    while time.time() < t_end:
        cool = 1.0
        if a.cooldown > 0:
            cool = max(0.05, min(1.0, (t_end - time.time()) / (a.cooldown * 60)))
        for g in opt.param_groups:
            g['lr'] = a.lr * g['mult'] * min(1.0, (step - warm_from + 1) / 200) * cool
        if a.video_share > 0:
            # even spread: step s is a video step when the running count of video steps ticks over
            kind = 'video' if int((step + 1) * a.video_share) > int(step * a.video_share) else 'image'
        else:
            kind = 'video' if a.video_every and step % a.video_every == a.video_every - 1 else 'image'
        src = data
        if kind == 'video' and n_extra and rng.random() < n_extra / (n_extra + len(data.video_ids)):
            src = extra
        scenes, qas, keep, rel, vid = sample_batch(src, rng, kind, a.video_batch if kind == 'video' else a.batch, a.questions, step, a.ramp,
                                         a.hard_mult, a.rare_video_accept, a.oracle_aug, a.video_oracle_aug, model.c.pool_stride)
        logits, b = forward(model, tok, src, scenes, qas, device, vit_grad=a.vit_lr_mult > 0 and kind == 'image', heads=heads,
                            pos_head=pos_head, keep=keep, rel_head=rel_head, rel_targets=rel, vid_head=vid_head, vid_targets=vid,
                            frame_head=frame_head, frame_layer=a.frame_aux_layer, keep_original_positions=a.oracle_positions == 'original')
        tgt = b['tgt'].to(device)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt.reshape(-1), ignore_index=-100)
        for key, name, weight in AUX_LOSSES:
            if b[key] is not None:
                running[name].append(b[key].item())
                loss = loss + getattr(a, weight) * b[key]
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for g in groups for p in g['params']], 1.0)
        opt.step()
        step += 1
        with torch.no_grad():
            ap_ = torch.tensor([(bi, p) for bi, p, _ in b['ans_pos']])
            pred = logits[ap_[:, 0], ap_[:, 1]].argmax(-1)
            run_acc.append((pred == tgt[ap_[:, 0], ap_[:, 1]]).float().mean().item())
        run_loss.append(loss.item())
        if step % 50 == 0:
            aux = ''.join(f' {name} {np.mean(v):.3f}' for name, v in running.items() if v)
            log(f'step {step} loss {np.mean(run_loss):.4f} train_acc {np.mean(run_acc):.3f}{aux} lr {opt.param_groups[0]["lr"]:.2e} {(time.time() - t_last) / 50:.2f}s/step')
            run_loss, run_acc, t_last = [], [], time.time()
            running = {name: [] for name in running}
        done = time.time() >= t_end
        if step % a.eval_every == 0 or done:
            ev = evaluate(model, tok, val, device)
            mean = float(np.mean([v for k, v in ev.items() if k != 'n']))
            log('val', step, 'mean', round(mean, 3), ev)
            score, extra_val = mean, {}
            if a.oracle_eval:
                eo = evaluate_oracle(model, tok, val, device, a.oracle_positions == 'original')
                o_mean = float(np.mean([v for k, v in eo.items() if k != 'n']))
                log('val_oracle', step, 'mean', round(o_mean, 3), eo)
                score, extra_val = (mean + o_mean) / 2, {'val_oracle': eo}
            if score > best:
                best = score
                save_checkpoint(os.path.join(a.run, 'best.pt'), model=model.state_dict(), step=step, config=c.to_dict(), val=ev, **extra_val)
        if done or time.time() - t_save > 180:
            extra_state = {'pos_head': pos_head.state_dict()} if pos_head is not None else {}
            for n, h in late:
                extra_state[n] = h.state_dict()
            save_checkpoint(os.path.join(a.run, 'stage2.pt'), model=model.state_dict(), heads=heads.state_dict(), opt=opt.state_dict(), step=step, config=c.to_dict(), best=best, **extra_state)
            t_save = time.time()


if __name__ == '__main__':
    main()
