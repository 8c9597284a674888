"""Export a stage-2 checkpoint as a Hugging Face LLaVA folder (models/reference/ by default).

Writes config.json, preprocessor_config.json, model.safetensors (written here: 8-byte header
length, JSON header, raw little-endian tensors; no safetensors package needed), tokenizer.json
(HF tokenizers WordLevel + Whitespace pre-tokenizer), tokenizer_config.json (with
prompt_template) and generation_config.json.
  python3 export.py --run RUN [--ckpt best.pt] [--out ../] [--fp16]
"""
import argparse
import json
import os
import struct

import numpy as np
import torch

from common import IMAGE_MEAN, IMAGE_STD
from model import Config
from tokenizer import BOS, EOS, IMAGE, PAD, PROMPT_TEMPLATE, SPECIALS, UNK

HERE = os.path.dirname(os.path.abspath(__file__))


def write_safetensors(path, tensors, metadata=None):
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name])
        dtype = {np.dtype('float32'): 'F32', np.dtype('float16'): 'F16'}[a.dtype]
        b = a.astype(a.dtype.newbyteorder('<'), copy=False).tobytes()
        header[name] = {'dtype': dtype, 'shape': list(a.shape), 'data_offsets': [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    if metadata:
        header['__metadata__'] = metadata
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * (-len(h) % 8)
    with open(path + '.tmp', 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(path + '.tmp', path)


def read_safetensors(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        dt = {'F32': np.float32, 'F16': np.float16}[info['dtype']]
        s, e = info['data_offsets']
        out[name] = torch.from_numpy(np.frombuffer(data[s:e], dtype=dt).reshape(info['shape']).astype(np.float32))
    return out


def hf_config(c: Config, dtype):
    return {
        'architectures': ['LlavaForConditionalGeneration'],
        'model_type': 'llava',
        'image_token_index': IMAGE,
        'projector_hidden_act': 'gelu',
        'multimodal_projector_bias': True,
        'vision_feature_layer': c.feature_layer,
        'vision_feature_select_strategy': 'default',
        'spatial_pool_stride': c.pool_stride,
        'spatial_pool_mode': 'average',
        'num_frames': c.num_frames,
        'tie_word_embeddings': False,
        'ignore_index': -100,
        'torch_dtype': dtype,
        'vision_config': {
            'model_type': 'clip_vision_model', 'hidden_size': c.v_hidden, 'intermediate_size': c.v_mlp,
            'num_hidden_layers': c.v_layers, 'num_attention_heads': c.v_heads, 'num_channels': 3,
            'image_size': c.image_size, 'patch_size': c.patch_size, 'hidden_act': 'quick_gelu',
            'layer_norm_eps': c.v_eps, 'projection_dim': c.v_hidden,
        },
        'text_config': {
            'model_type': 'llama', 'vocab_size': c.vocab_size, 'hidden_size': c.t_hidden,
            'intermediate_size': c.t_mlp, 'num_hidden_layers': c.t_layers, 'num_attention_heads': c.t_heads,
            'num_key_value_heads': c.t_kv_heads, 'head_dim': c.t_hidden // c.t_heads, 'hidden_act': 'silu',
            'max_position_embeddings': c.max_positions, 'rms_norm_eps': c.rms_eps, 'rope_theta': c.rope_theta,
            'attention_bias': False, 'mlp_bias': False, 'tie_word_embeddings': False,
            'bos_token_id': BOS, 'eos_token_id': EOS, 'pad_token_id': PAD,
        },
        'transformers_version': '4.45.0',
    }


def hf_tokenizer(vocab):
    added = [{'id': i, 'content': t, 'single_word': False, 'lstrip': False, 'rstrip': False,
              'normalized': False, 'special': True} for i, t in enumerate(SPECIALS)]
    return {
        'version': '1.0', 'truncation': None, 'padding': None, 'added_tokens': added,
        'normalizer': None, 'pre_tokenizer': {'type': 'Whitespace'},
        'post_processor': {
            'type': 'TemplateProcessing',
            'single': [{'SpecialToken': {'id': '<s>', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}}],
            'pair': [{'SpecialToken': {'id': '<s>', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}},
                     {'Sequence': {'id': 'B', 'type_id': 1}}],
            'special_tokens': {'<s>': {'id': '<s>', 'ids': [BOS], 'tokens': ['<s>']}},
        },
        'decoder': {'type': 'WordPiece', 'prefix': '##', 'cleanup': False},
        'model': {'type': 'WordLevel', 'vocab': vocab, 'unk_token': SPECIALS[UNK]},
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--run', required=True)
    ap.add_argument('--ckpt', default='best.pt')
    ap.add_argument('--out', default=os.path.dirname(HERE))
    ap.add_argument('--fp16', action='store_true')
    a = ap.parse_args()
    ck = torch.load(os.path.join(a.run, a.ckpt), map_location='cpu')
    c = Config(**ck['config'])
    with open(os.path.join(a.run, 'vocab.json')) as f:
        vocab = json.load(f)
    assert len(vocab) == c.vocab_size, (len(vocab), c.vocab_size)
    dtype = np.float16 if a.fp16 else np.float32
    tensors = {k: v.detach().cpu().numpy().astype(dtype) for k, v in ck['model'].items()}
    os.makedirs(a.out, exist_ok=True)
    meta = {'format': 'pt', 'source': f"{a.ckpt} step {ck.get('step')}"}
    write_safetensors(os.path.join(a.out, 'model.safetensors'), tensors, meta)
    files = {
        'config.json': hf_config(c, 'float16' if a.fp16 else 'float32'),
        'preprocessor_config.json': {
            'image_processor_type': 'CLIPImageProcessor', 'processor_class': 'LlavaProcessor',
            'do_resize': True, 'size': {'shortest_edge': c.image_size}, 'resample': 3,
            'do_center_crop': True, 'crop_size': {'height': c.image_size, 'width': c.image_size},
            'do_rescale': True, 'rescale_factor': 1 / 255, 'do_normalize': True,
            'image_mean': IMAGE_MEAN, 'image_std': IMAGE_STD, 'do_convert_rgb': True,
        },
        'tokenizer.json': hf_tokenizer(vocab),
        'tokenizer_config.json': {
            'tokenizer_class': 'PreTrainedTokenizerFast', 'add_bos_token': True, 'add_eos_token': False,
            'bos_token': '<s>', 'eos_token': '</s>', 'unk_token': '<unk>', 'pad_token': '<pad>',
            'model_max_length': c.max_positions, 'clean_up_tokenization_spaces': False,
            'prompt_template': PROMPT_TEMPLATE,
        },
        'generation_config.json': {'bos_token_id': BOS, 'eos_token_id': EOS, 'pad_token_id': PAD,
                                   'max_new_tokens': 4, 'do_sample': False},
    }
    for name, obj in files.items():
        with open(os.path.join(a.out, name), 'w') as f:
            json.dump(obj, f, indent=2)
            f.write('\n')
    size = os.path.getsize(os.path.join(a.out, 'model.safetensors'))
    print(f"exported step {ck.get('step')} to {a.out} ({size / 1e6:.1f} MB), val {ck.get('val')}")


if __name__ == '__main__':
    main()
