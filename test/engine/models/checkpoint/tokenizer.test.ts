import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../../../../src/engine/models/checkpoint/errors';
import { loadModel } from '../../../../src/engine/models/checkpoint/load';
import { DEFAULT_PROMPT_TEMPLATE, buildPrompt } from '../../../../src/engine/models/checkpoint/prompt';
import { loadTokenizer } from '../../../../src/engine/models/checkpoint/tokenizer';
import { writeTinyCheckpoint } from '../../../../src/engine/models/checkpoint/write';

const tmp = mkdtempSync(join(tmpdir(), 'tokenlab-tok-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('tokenizer', () => {
  const { dir, config } = writeTinyCheckpoint(join(tmp, 'base'));

  it('round-trips text through ids and finds the special ids', () => {
    const tok = loadTokenizer(dir);
    const ids = tok.encode('What color is the circle? Red, 3 objects.');
    expect(ids).not.toContain(0); // no <unk>: the tiny vocabulary covers these words
    expect(tok.decode(ids)).toBe('what color is the circle ? red , 3 objects .');
    expect(tok.decode([...ids, tok.eosId ?? -1])).toBe(tok.decode(ids));
    expect(tok.decode([])).toBe(''); // EOS first: an empty answer, not an error
    expect({ bos: tok.bosId, eos: tok.eosId, pad: tok.padId, add: tok.addBosToken }).toEqual({ bos: 1, eos: 2, pad: config.imageTokenIndex + 1, add: true });
    expect(tok.tokenToId('<image>')).toBe(config.imageTokenIndex);
    expect(tok.vocabSize).toBe(config.text.vocabSize);
    expect(tok.encode('zebra')).toEqual([0]);
  });

  it('infers add_bos_token from the post-processor when tokenizer_config.json does not say', () => {
    const other = writeTinyCheckpoint(join(tmp, 'nobosflag')).dir;
    const configFile = join(other, 'tokenizer_config.json');
    const { add_bos_token: _dropped, ...rest } = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(configFile, JSON.stringify(rest));
    expect(loadTokenizer(other).addBosToken).toBe(true);
    expect(loadTokenizer(writeTinyCheckpoint(join(tmp, 'nobos'), { addBosToken: false }).dir).addBosToken).toBe(false);
  });

  it('reports a broken tokenizer.json naming the file', () => {
    const broken = writeTinyCheckpoint(join(tmp, 'broken')).dir;
    writeFileSync(join(broken, 'tokenizer.json'), JSON.stringify({ model: { type: 'NoSuchModel' } }));
    expect(() => loadTokenizer(broken)).toThrow(CheckpointError);
    expect(() => loadTokenizer(broken)).toThrow(/tokenizer\.json: could not build the tokenizer/);
  });
});

describe('prompt', () => {
  it('builds the LLaVA-1.5 prompt: BOS + system + "USER:" before the image, question + "ASSISTANT:" after', async () => {
    const model = await loadModel(writeTinyCheckpoint(join(tmp, 'prompt')).dir);
    const { before, after } = model.prompt('How many objects?');
    expect(before[0]).toBe(1);
    expect(model.tokenizer.decode(before)).toBe("a chat between a curious human and an artificial intelligence assistant . the assistant gives helpful , detailed , and polite answers to the human ' s questions . user :");
    expect(model.tokenizer.decode(after)).toBe('how many objects ? assistant :');
    expect([...before, ...after]).not.toContain(model.config.imageTokenIndex);
    expect(() => model.prompt('see <image> here')).toThrow(/must not contain "<image>"/);
    model.weights.close();
  });

  it('tokenizes each side separately when the tokenizer has no image token, with the same result here', async () => {
    const model = await loadModel(writeTinyCheckpoint(join(tmp, 'split')).dir);
    const tok = model.tokenizer as Parameters<typeof buildPrompt>[0];
    const noImageToken = { ...tok, tokenToId: (t: string) => (t === '<image>' ? undefined : tok.tokenToId(t)) };
    expect(buildPrompt(noImageToken, DEFAULT_PROMPT_TEMPLATE, model.config.imageTokenIndex, 'Is it red?')).toEqual(model.prompt('Is it red?'));
    model.weights.close();
  });

  it('takes prompt_template from tokenizer_config.json or config.json, and rejects a template without <image>', async () => {
    const custom = await loadModel(writeTinyCheckpoint(join(tmp, 'custom'), { promptTemplate: 'user : {question} <image> assistant :', addBosToken: false }).dir);
    const parts = custom.prompt('what shape');
    expect(custom.tokenizer.decode(parts.before)).toBe('user : what shape');
    expect(custom.tokenizer.decode(parts.after)).toBe('assistant :');
    custom.weights.close();

    const viaConfig = writeTinyCheckpoint(join(tmp, 'viaconfig')).dir;
    const configFile = join(viaConfig, 'config.json');
    writeFileSync(configFile, JSON.stringify({ ...JSON.parse(readFileSync(configFile, 'utf8')), prompt_template: '{question}' }));
    await expect(loadModel(viaConfig)).rejects.toThrow(/config\.json: prompt_template must contain "<image>" exactly once \(found 0\)/);
  });
});
