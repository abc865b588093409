import { describeShared, readShared } from '@explorables/testkit';
import { expect, it } from 'vitest';
import { readLlama2cCheckpoint, writeLlama2cCheckpoint } from './checkpoint.ts';
import { readLlama2cTokenizer, writeLlama2cTokenizer } from './tokenizer-file.ts';

describeShared(
  'stories260K.bin and tok512.bin (models/README.md)',
  [
    ['models', 'stories260K.bin'],
    ['models', 'tok512.bin'],
  ],
  () => {
    const bytes = readShared('models', 'stories260K.bin');
    const ckpt = readLlama2cCheckpoint(bytes);

    it('readLlama2cCheckpoint gives the README config and tensor offsets', () => {
      expect(ckpt.config).toEqual({
        dim: 64,
        hiddenDim: 172,
        nLayers: 5,
        nHeads: 8,
        nKvHeads: 4,
        vocabSize: 512,
        seqLen: 512,
        sharedClassifier: true,
      });
      expect(ckpt.legacyRope).toBe(true);
      expect(ckpt.layout.map((t) => [t.name, t.offsetBytes, t.sizeBytes])).toEqual([
        ['token_embedding_table', 28, 131072],
        ['rms_att_weight', 131100, 1280],
        ['wq', 132380, 81920],
        ['wk', 214300, 40960],
        ['wv', 255260, 40960],
        ['wo', 296220, 81920],
        ['rms_ffn_weight', 378140, 1280],
        ['w1', 379420, 220160],
        ['w2', 599580, 220160],
        ['w3', 819740, 220160],
        ['rms_final_weight', 1039900, 256],
        ['freq_cis_real', 1040156, 8192],
        ['freq_cis_imag', 1048348, 8192],
      ]);
      expect(ckpt.tensors.wcls).toBe(ckpt.tensors.tokenEmbedding);
      expect(ckpt.tensors.w2[4].length).toBe(64 * 172);
    });

    it('writeLlama2cCheckpoint(read(file)) reproduces the file (freq_cis within 6e-8)', () => {
      const again = writeLlama2cCheckpoint(ckpt, { version: 0, legacyRope: true });
      expect(again.length).toBe(bytes.length);
      let firstDifference = -1;
      for (let i = 0; i < 1040156 && firstDifference < 0; i++) {
        if (again[i] !== bytes[i]) firstDifference = i;
      }
      expect(firstDifference).toBe(-1);
      const a = new Float32Array(again.slice(1040156).buffer);
      const b = new Float32Array(bytes.slice(1040156).buffer);
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
      expect(worst).toBeLessThan(6e-8);
    });

    it('readLlama2cTokenizer reads 512 pieces with the README facts and writes them back', () => {
      const tokBytes = readShared('models', 'tok512.bin');
      const tok = readLlama2cTokenizer(tokBytes, 512);
      expect(tok.maxTokenLength).toBe(7);
      expect(tok.pieces[1]).toBe('\n<s>\n');
      expect(tok.pieces[13]).toBe('<0x0A>');
      expect(tok.pieces[259]).toBe(' t');
      expect(Object.is(tok.scores[259], -0)).toBe(true);
      expect(tok.pieces[410]).toBe(' ');
      expect(tok.pieces[465]).toBe('\u201c');
      expect(Buffer.compare(writeLlama2cTokenizer(tok), tokBytes)).toBe(0);
    });
  },
);
