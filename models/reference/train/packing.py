"""Packed multi-question sequences: one shared visual prefix, K question blocks after it.

Layout of one sequence: [<s> USER :] [<image> x N] [block 1] ... [block K] [pad ...]
where block k = question words + "ASSISTANT :" + answer. Each block sees the whole prefix and
causally itself; positions restart after the prefix for every block. This is exactly K separate
forward passes of the prompt template (REFERENCE_MODEL_NOTES: |dlogit| 3e-7), with ~K times the
supervision per vision forward pass. The logit at a block's last prompt token predicts the
answer; the logit at the answer predicts </s>.
"""
import torch

from tokenizer import EOS, IMAGE, PAD

NEG = -1e9


def pack(tok, n_visual, qa_lists, visual_pos=None, n_full=None):
    """qa_lists: per sequence, a list of (question, answer). `n_visual` is one visual length for
    every sequence, or a list of per-sequence lengths (token-dropped prefixes; positions stay
    compact, as the engine gives them after a pruner with compact positions). `visual_pos`, when
    given, holds per sequence the kept tokens' indices in the full visual block (None = all): those
    sequences keep original positions instead (the engine's visualPositions 'original': a kept
    token at prefix + its index, the text after prefix + `n_full`). Returns dict of tensors (CPU)."""
    seqs, poss, tgts, blocks, ans_pos = [], [], [], [], []
    prefix_before = None
    lengths = n_visual if isinstance(n_visual, list) else [n_visual] * len(qa_lists)
    for qas, n_visual in zip(qa_lists, lengths):
        ids, pos, tgt, blk = [], [], [], []
        for k, (q, a) in enumerate(qas):
            before, after = tok.prompt_parts(q)
            if prefix_before is None:
                prefix_before = before
            kept = visual_pos[len(seqs)] if visual_pos else None
            if k == 0:
                ids += before + [IMAGE] * n_visual
                pos += list(range(len(ids))) if kept is None else list(range(len(before))) + [len(before) + j for j in kept]
                tgt += [-100] * len(ids)
                blk += [0] * len(ids)
            p0 = len(before) + (n_visual if kept is None else n_full)
            a_ids = tok.encode(a)
            assert len(a_ids) == 1, f'answer {a!r} is not one token'
            block = after + a_ids
            ans_pos.append((len(seqs), len(ids) + len(after) - 1, k))
            ids += block
            pos += list(range(p0, p0 + len(block)))
            tgt += [-100] * (len(after) - 1) + [a_ids[0], EOS]
            blk += [k + 1] * len(block)
        seqs.append(ids)
        poss.append(pos)
        tgts.append(tgt)
        blocks.append(blk)
    T = max(len(s) for s in seqs)
    B = len(seqs)
    ids_t = torch.full((B, T), PAD, dtype=torch.long)
    pos_t = torch.zeros((B, T), dtype=torch.long)
    tgt_t = torch.full((B, T), -100, dtype=torch.long)
    blk_t = torch.full((B, T), -1, dtype=torch.long)
    for i in range(B):
        n = len(seqs[i])
        ids_t[i, :n] = torch.tensor(seqs[i])
        pos_t[i, :n] = torch.tensor(poss[i])
        tgt_t[i, :n] = torch.tensor(tgts[i])
        blk_t[i, :n] = torch.tensor(blocks[i])
    causal = torch.ones(T, T, dtype=torch.bool).tril()
    qi, kj = blk_t[:, :, None], blk_t[:, None, :]
    allowed = ((kj == 0) | (qi == kj)) & causal[None] & (qi >= 0) & (kj >= 0)
    allowed |= torch.eye(T, dtype=torch.bool)[None]  # padding rows attend to themselves
    mask = torch.zeros(B, 1, T, T)
    mask.masked_fill_(~allowed[:, None], NEG)
    return {
        'ids': ids_t, 'pos': pos_t, 'tgt': tgt_t, 'mask': mask,
        'visual_start': len(prefix_before), 'ans_pos': ans_pos,
    }
