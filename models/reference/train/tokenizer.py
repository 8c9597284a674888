"""Word-level tokenizer of llava-tiny-shapes, mirroring HF tokenizers' WordLevel model with a
Whitespace pre-tokenizer (regex \\w+|[^\\w\\s]+), so tokenizer.json loads in any HF-compatible
library and splits text exactly as this file does.
"""
import json
import os
import re

SPECIALS = ['<unk>', '<s>', '</s>', '<pad>', '<image>']
UNK, BOS, EOS, PAD, IMAGE = range(5)
PROMPT_TEMPLATE = 'USER: <image>\n{question} ASSISTANT:'
PROMPT_WORDS = ['USER', ':', 'ASSISTANT']
_SPLIT = re.compile(r'\w+|[^\w\s]+')


def pre_tokenize(text):
    return _SPLIT.findall(text)


class WordTokenizer:
    def __init__(self, vocab):
        self.vocab = vocab
        self.itos = {i: w for w, i in vocab.items()}

    @staticmethod
    def build(scenes, meta):
        words = set(PROMPT_WORDS)
        words.update(meta['colors'])
        words.update(meta['shapes'])
        words.update(str(i) for i in range(10))
        for s in scenes:
            for q in s['questions']:
                words.update(pre_tokenize(q['question']))
                words.update(pre_tokenize(q['answer']))
        words -= set(SPECIALS)
        vocab = {w: i for i, w in enumerate(SPECIALS)}
        for w in sorted(words):
            vocab[w] = len(vocab)
        return WordTokenizer(vocab)

    @staticmethod
    def load_or_build(path, scenes, meta):
        if os.path.exists(path):
            with open(path) as f:
                return WordTokenizer(json.load(f))
        tok = WordTokenizer.build(scenes, meta)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            json.dump(tok.vocab, f, indent=0)
        return tok

    def encode(self, text):
        return [self.vocab.get(w, UNK) for w in pre_tokenize(text)]

    def prompt_parts(self, question):
        """(ids before <image>, ids after <image>) of PROMPT_TEMPLATE, BOS included."""
        before, after = PROMPT_TEMPLATE.split('<image>')
        return [BOS] + self.encode(before), self.encode(after.replace('{question}', question))

    def __len__(self):
        return len(self.vocab)
