"""Stage 2: train projector + decoder on packed question blocks (ViT from stage 1, low or zero LR;
when the ViT trains, its stage-1 dense loss stays on as an auxiliary so it keeps improving).

Curriculum: easy types (colour, shape, existence, direction) first, the others ramp in over
`--ramp` steps. Image and video batches alternate (every `--video-every`-th step is a video batch)
so video never overwrites image skills. Visual and word embeddings start at the same scale
(REFERENCE_MODEL_NOTES "scale matching"). Resumes from RUN/stage2.pt; starts from RUN/stage1.pt.
  python3 train_vlm.py --data DATA/train --val DATA/val --run RUN [--minutes 60]
"""
import argparse
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from common import Log, ShapesData, load_checkpoint, pick_device, save_checkpoint, setup_threads
from model import Config, Llava
from packing import pack
from tokenizer import WordTokenizer
from train_vit import Stage1Heads

EASY = {'color', 'shape', 'exist', 'direction'}
EMBED_STD = 0.3


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


def forward(model, tok, data, scene_list, qa_lists, device, vit_grad=False, heads=None):
    v, aux = visual_tokens(model, data, scene_list, device, vit_grad, heads)
    b = pack(tok, v.shape[1], qa_lists)
    b['aux'] = aux
    ids = b['ids'].to(device)
    emb = model.language_model.model.embed_tokens(ids)
    s = b['visual_start']
    emb = torch.cat([emb[:, :s], v, emb[:, s + v.shape[1]:]], 1)
    logits = model.decode(emb, b['pos'].to(device), b['mask'].to(device))
    return logits, b


def type_weight(t, step, ramp):
    return 1.0 if t in EASY else min(1.0, 0.15 + step / max(1, ramp))


def sample_batch(data, rng, kind, n, k, step, ramp):
    ids = data.image_ids if kind == 'image' else data.video_ids
    scenes, qas = [], []
    while len(scenes) < n:
        s = data.scenes[ids[rng.integers(len(ids))]]
        qs = s['questions']
        if not qs:
            continue
        w = np.array([type_weight(q['type'], step, ramp) for q in qs])
        pick = rng.choice(len(qs), size=min(k, len(qs)), replace=False, p=w / w.sum())
        scenes.append(s)
        qas.append([(qs[i]['question'], qs[i]['answer']) for i in pick])
    return scenes, qas


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
    ap.add_argument('--questions', type=int, default=6)
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--vit-lr-mult', type=float, default=0.0, help='0 freezes the ViT (cheapest on CPU)')
    ap.add_argument('--ramp', type=int, default=1500)
    ap.add_argument('--dense-weight', type=float, default=0.5, help='stage-1 dense loss kept on image batches when the ViT trains')
    ap.add_argument('--eval-every', type=int, default=400)
    a = ap.parse_args()
    setup_threads()
    device = pick_device()
    data, val = ShapesData(a.data), ShapesData(a.val)
    tok = WordTokenizer.load_or_build(os.path.join(a.run, 'vocab.json'), data.scenes, data.meta)
    log = Log(os.path.join(a.run, 'stage2.log'))
    c = Config(vocab_size=len(tok))
    model = Llava(c).to(device)
    heads = Stage1Heads(c, len(data.meta['colors']), len(data.meta['shapes'])).to(device)
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
    if a.vit_lr_mult > 0:
        groups.append({'params': vit_params + list(heads.parameters()), 'mult': a.vit_lr_mult})
    else:
        for p in vit_params:
            p.requires_grad_(False)
    opt = torch.optim.AdamW(groups, lr=a.lr, weight_decay=0.01)
    step, best = 0, -1.0
    if ck2:
        model.load_state_dict(ck2['model'])
        if 'heads' in ck2:
            heads.load_state_dict(ck2['heads'])
        try:
            opt.load_state_dict(ck2['opt'])
        except ValueError:
            log('optimizer state not compatible with these options; fresh optimizer')
        step, best = ck2['step'], ck2.get('best', -1.0)
        log('resumed stage 2 at step', step)
    rng = np.random.default_rng(1000 + step)
    t_end, t_save = time.time() + a.minutes * 60, time.time()
    run_loss, run_acc, run_aux, t_last = [], [], [], time.time()
    while time.time() < t_end:
        for g in opt.param_groups:
            g['lr'] = a.lr * g['mult'] * min(1.0, (step + 1) / 200)
        kind = 'video' if a.video_every and step % a.video_every == a.video_every - 1 else 'image'
        scenes, qas = sample_batch(data, rng, kind, a.video_batch if kind == 'video' else a.batch, a.questions, step, a.ramp)
        logits, b = forward(model, tok, data, scenes, qas, device, vit_grad=a.vit_lr_mult > 0 and kind == 'image', heads=heads)
        tgt = b['tgt'].to(device)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt.reshape(-1), ignore_index=-100)
        if b['aux'] is not None:
            run_aux.append(b['aux'].item())
            loss = loss + a.dense_weight * b['aux']
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
            aux = f' dense {np.mean(run_aux):.3f}' if run_aux else ''
            log(f'step {step} loss {np.mean(run_loss):.4f} train_acc {np.mean(run_acc):.3f}{aux} {(time.time() - t_last) / 50:.2f}s/step')
            run_loss, run_acc, run_aux, t_last = [], [], [], time.time()
        done = time.time() >= t_end
        if step % a.eval_every == 0 or done:
            ev = evaluate(model, tok, val, device)
            mean = float(np.mean([v for k, v in ev.items() if k != 'n']))
            log('val', step, 'mean', round(mean, 3), ev)
            if mean > best:
                best = mean
                save_checkpoint(os.path.join(a.run, 'best.pt'), model=model.state_dict(), step=step, config=c.to_dict(), val=ev)
        if done or time.time() - t_save > 180:
            save_checkpoint(os.path.join(a.run, 'stage2.pt'), model=model.state_dict(), heads=heads.state_dict(), opt=opt.state_dict(), step=step, config=c.to_dict(), best=best)
            t_save = time.time()


if __name__ == '__main__':
    main()
