"""llava-tiny-shapes: a LLaVA-1.5-shaped VLM small enough to train on a CPU.

CLIP-style ViT with CLS token (HF CLIPVisionModel layout) -> 2-layer GELU projector
(LlavaMultiModalProjector) -> Llama-style decoder (LlamaForCausalLM layout). Parameter names
match Hugging Face's LlavaForConditionalGeneration, so `state_dict()` exports as-is.

Video (LLaVA-NeXT-Video convention): every frame is encoded alone, its feature-layer patch grid
is average-pooled with stride `spatial_pool_stride` *before* the projector, and the frames are
concatenated in time order.
"""
import math
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Config:
    image_size: int = 160
    patch_size: int = 16
    v_hidden: int = 128
    v_layers: int = 5
    v_heads: int = 4
    v_mlp: int = 512
    v_eps: float = 1e-5
    feature_layer: int = -2  # index into hidden_states (embeddings + every layer), LLaVA default
    t_hidden: int = 192
    t_layers: int = 8
    t_heads: int = 6
    t_kv_heads: int = 6
    t_mlp: int = 512
    rope_theta: float = 10000.0
    rms_eps: float = 1e-5
    vocab_size: int = 128
    max_positions: int = 512
    pool_stride: int = 2
    num_frames: int = 8

    @property
    def grid(self):
        return self.image_size // self.patch_size

    def to_dict(self):
        return asdict(self)


def sincos_2d(grid, d):
    """[1 + grid*grid, d] position table: zeros for CLS, then 2D sin-cos of (row, col) per patch."""
    q = d // 4
    omega = 1.0 / (10.0 ** (torch.arange(q, dtype=torch.float32) / q))  # base 10 suits a ~10x10 grid
    ys, xs = torch.meshgrid(torch.arange(grid, dtype=torch.float32), torch.arange(grid, dtype=torch.float32), indexing='ij')
    parts = []
    for p in (ys.flatten(), xs.flatten()):
        a = p[:, None] * omega[None]
        parts += [a.sin(), a.cos()]
    return torch.cat([torch.zeros(1, d), torch.cat(parts, 1)], 0)


def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)


class ClipAttention(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.q_proj = nn.Linear(d, d)
        self.k_proj = nn.Linear(d, d)
        self.v_proj = nn.Linear(d, d)
        self.out_proj = nn.Linear(d, d)

    def forward(self, x):
        b, n, d = x.shape
        hd = d // self.h
        q = self.q_proj(x).view(b, n, self.h, hd).transpose(1, 2) * hd ** -0.5
        k = self.k_proj(x).view(b, n, self.h, hd).transpose(1, 2)
        v = self.v_proj(x).view(b, n, self.h, hd).transpose(1, 2)
        a = torch.softmax(q @ k.transpose(-1, -2), dim=-1)
        return self.out_proj((a @ v).transpose(1, 2).reshape(b, n, d))


class ClipMLP(nn.Module):
    def __init__(self, d, m):
        super().__init__()
        self.fc1 = nn.Linear(d, m)
        self.fc2 = nn.Linear(m, d)

    def forward(self, x):
        return self.fc2(quick_gelu(self.fc1(x)))


class ClipLayer(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.self_attn = ClipAttention(c.v_hidden, c.v_heads)
        self.layer_norm1 = nn.LayerNorm(c.v_hidden, eps=c.v_eps)
        self.mlp = ClipMLP(c.v_hidden, c.v_mlp)
        self.layer_norm2 = nn.LayerNorm(c.v_hidden, eps=c.v_eps)

    def forward(self, x):
        x = x + self.self_attn(self.layer_norm1(x))
        return x + self.mlp(self.layer_norm2(x))


class ClipEmbeddings(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.class_embedding = nn.Parameter(torch.randn(c.v_hidden) * 0.02)
        self.patch_embedding = nn.Conv2d(3, c.v_hidden, c.patch_size, c.patch_size, bias=False)
        self.position_embedding = nn.Embedding(c.grid * c.grid + 1, c.v_hidden)
        with torch.no_grad():  # 2D sin-cos init (as MAE): neighbours start similar, so local attention is learnt sooner
            self.position_embedding.weight.copy_(sincos_2d(c.grid, c.v_hidden))

    def forward(self, px):
        p = self.patch_embedding(px).flatten(2).transpose(1, 2)
        cls = self.class_embedding.expand(p.shape[0], 1, -1)
        return torch.cat([cls, p], 1) + self.position_embedding.weight[None]


class ClipEncoder(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.layers = nn.ModuleList([ClipLayer(c) for _ in range(c.v_layers)])


class ClipVisionTransformer(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.c = c
        self.embeddings = ClipEmbeddings(c)
        self.pre_layrnorm = nn.LayerNorm(c.v_hidden, eps=c.v_eps)
        self.encoder = ClipEncoder(c)
        self.post_layernorm = nn.LayerNorm(c.v_hidden, eps=c.v_eps)

    def hidden_states(self, px, upto=None):
        """HF-style hidden_states list: [embeddings after pre_layrnorm, layer 1, ..., layer upto]."""
        x = self.pre_layrnorm(self.embeddings(px))
        hs = [x]
        n = len(self.encoder.layers) if upto is None else upto
        for layer in self.encoder.layers[:n]:
            x = layer(x)
            hs.append(x)
        return hs

    def feature_index(self):
        fl = self.c.feature_layer
        return fl if fl >= 0 else self.c.v_layers + 1 + fl


class VisionTower(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.vision_model = ClipVisionTransformer(c)


class Projector(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.linear_1 = nn.Linear(c.v_hidden, c.t_hidden)
        self.linear_2 = nn.Linear(c.t_hidden, c.t_hidden)

    def forward(self, x):
        return self.linear_2(F.gelu(self.linear_1(x)))


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rope_tables(positions, head_dim, theta):
    inv = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32, device=positions.device) / head_dim))
    f = positions.float()[..., None] * inv  # [..., T, hd/2]
    emb = torch.cat([f, f], -1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    a, b = x.chunk(2, -1)
    return torch.cat([-b, a], -1)


class LlamaAttention(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.h, self.kv, self.hd = c.t_heads, c.t_kv_heads, c.t_hidden // c.t_heads
        self.q_proj = nn.Linear(c.t_hidden, self.h * self.hd, bias=False)
        self.k_proj = nn.Linear(c.t_hidden, self.kv * self.hd, bias=False)
        self.v_proj = nn.Linear(c.t_hidden, self.kv * self.hd, bias=False)
        self.o_proj = nn.Linear(self.h * self.hd, c.t_hidden, bias=False)

    def forward(self, x, cos, sin, mask):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.h, self.hd).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.kv, self.hd).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.kv, self.hd).transpose(1, 2)
        cos, sin = cos[:, None], sin[:, None]
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if self.kv != self.h:
            k = k.repeat_interleave(self.h // self.kv, 1)
            v = v.repeat_interleave(self.h // self.kv, 1)
        s = (q @ k.transpose(-1, -2)) * self.hd ** -0.5 + mask  # mask [b or 1, 1, t, t] additive
        a = torch.softmax(s, -1)
        return self.o_proj((a @ v).transpose(1, 2).reshape(b, t, -1))


class LlamaMLP(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.gate_proj = nn.Linear(c.t_hidden, c.t_mlp, bias=False)
        self.up_proj = nn.Linear(c.t_hidden, c.t_mlp, bias=False)
        self.down_proj = nn.Linear(c.t_mlp, c.t_hidden, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class LlamaLayer(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.self_attn = LlamaAttention(c)
        self.mlp = LlamaMLP(c)
        self.input_layernorm = RMSNorm(c.t_hidden, c.rms_eps)
        self.post_attention_layernorm = RMSNorm(c.t_hidden, c.rms_eps)

    def forward(self, x, cos, sin, mask):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, mask)
        return x + self.mlp(self.post_attention_layernorm(x))


class LlamaModel(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.embed_tokens = nn.Embedding(c.vocab_size, c.t_hidden)
        self.layers = nn.ModuleList([LlamaLayer(c) for _ in range(c.t_layers)])
        self.norm = RMSNorm(c.t_hidden, c.rms_eps)


class LlamaForCausalLM(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.model = LlamaModel(c)
        self.lm_head = nn.Linear(c.t_hidden, c.vocab_size, bias=False)


class Llava(nn.Module):
    """Parameter names are exactly HF LlavaForConditionalGeneration's (see export.py)."""

    def __init__(self, c: Config):
        super().__init__()
        self.c = c
        self.vision_tower = VisionTower(c)
        self.multi_modal_projector = Projector(c)
        self.language_model = LlamaForCausalLM(c)
        for name, p in self.language_model.named_parameters():
            if p.dim() == 2:
                nn.init.normal_(p, std=0.02)

    def vision_features(self, px):
        """[B, 3, H, W] normalised pixels -> [B, grid*grid, v_hidden] feature-layer patch tokens (CLS dropped)."""
        vm = self.vision_tower.vision_model
        fi = vm.feature_index()
        return vm.hidden_states(px, upto=fi)[fi][:, 1:]

    def pool_frames(self, feats):
        """[B*F, g*g, d] -> [B*F, (g/s)^2, d]: 2x2 (stride s) average pooling on the patch grid."""
        g, s = self.c.grid, self.c.pool_stride
        x = feats.transpose(1, 2).reshape(feats.shape[0], -1, g, g)
        x = F.avg_pool2d(x, s, s)
        return x.flatten(2).transpose(1, 2)

    def decode(self, embeds, positions, mask):
        """embeds [B,T,D], positions [B,T] long, mask additive [B or 1,1,T,T] -> logits [B,T,V]."""
        lm = self.language_model
        cos, sin = rope_tables(positions, self.c.t_hidden // self.c.t_heads, self.c.rope_theta)
        x = embeds
        for layer in lm.model.layers:
            x = layer(x, cos, sin, mask)
        return lm.lm_head(lm.model.norm(x))

    def decode_hidden(self, embeds, positions, mask):
        lm = self.language_model
        cos, sin = rope_tables(positions, self.c.t_hidden // self.c.t_heads, self.c.rope_theta)
        x = embeds
        for layer in lm.model.layers:
            x = layer(x, cos, sin, mask)
        return lm.model.norm(x)
