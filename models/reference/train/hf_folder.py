"""Load an exported HF LLaVA folder (as written by export.py) back into the PyTorch model, and run
a benchmark sample through it exactly as the prompt template says (used by evaluate.py and
parity.py, and as the export round-trip check)."""
import json
import os

import numpy as np
import torch
from PIL import Image

from export import read_safetensors
from model import Config, Llava
from tokenizer import WordTokenizer


def load_folder(path):
    with open(os.path.join(path, 'config.json')) as f:
        cfg = json.load(f)
    with open(os.path.join(path, 'tokenizer.json')) as f:
        vocab = json.load(f)['model']['vocab']
    with open(os.path.join(path, 'preprocessor_config.json')) as f:
        pre = json.load(f)
    v, t = cfg['vision_config'], cfg['text_config']
    c = Config(image_size=v['image_size'], patch_size=v['patch_size'], v_hidden=v['hidden_size'],
               v_layers=v['num_hidden_layers'], v_heads=v['num_attention_heads'], v_mlp=v['intermediate_size'],
               v_eps=v['layer_norm_eps'], feature_layer=cfg['vision_feature_layer'], t_hidden=t['hidden_size'],
               t_layers=t['num_hidden_layers'], t_heads=t['num_attention_heads'], t_kv_heads=t['num_key_value_heads'],
               t_mlp=t['intermediate_size'], rope_theta=t['rope_theta'], rms_eps=t['rms_norm_eps'],
               vocab_size=t['vocab_size'], max_positions=t['max_position_embeddings'],
               pool_stride=cfg['spatial_pool_stride'], num_frames=cfg['num_frames'])
    m = Llava(c)
    m.load_state_dict(read_safetensors(os.path.join(path, 'model.safetensors')))
    m.eval()
    return m, WordTokenizer(vocab), pre


def pixels(paths, pre):
    arr = np.stack([np.asarray(Image.open(p).convert('RGB'), dtype=np.float32) for p in paths])
    x = torch.from_numpy(arr).permute(0, 3, 1, 2) * pre['rescale_factor']
    mean = torch.tensor(pre['image_mean'])[None, :, None, None]
    std = torch.tensor(pre['image_std'])[None, :, None, None]
    return (x - mean) / std


@torch.no_grad()
def prompt_logits(model, tok, px, question, is_video):
    """Logits [T, V] of the full prompt (BOS + before + visual + after), and the prompt ids (-1 = visual)."""
    f = model.vision_features(px)
    if is_video:
        f = model.pool_frames(f).reshape(1, -1, f.shape[-1])
    v = model.multi_modal_projector(f)
    before, after = tok.prompt_parts(question)
    emb_t = model.language_model.model.embed_tokens
    e = torch.cat([emb_t(torch.tensor([before])), v, emb_t(torch.tensor([after]))], 1)
    T = e.shape[1]
    mask = torch.full((T, T), -1e9).triu(1)[None, None]
    logits = model.decode(e, torch.arange(T)[None], mask)[0]
    ids = before + [-1] * v.shape[1] + after
    return logits, ids, v[0]
