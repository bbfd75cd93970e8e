// A file:// model save/load handler in tfjs-node's on-disk layout, for the wasm and cpu backends.
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InternalError, UserError } from '../errors.js';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Strips `file://` and resolves a model path: a directory or a `model.json` path. */
function parsePath(pathOrUrl: string): string {
  return resolve(pathOrUrl.startsWith('file://') ? pathOrUrl.slice('file://'.length) : pathOrUrl);
}

/**
 * A tf.io.IOHandler that saves/loads a model in the same on-disk layout as @tensorflow/tfjs-node's `file://`
 * handler, for the non-native backends (wasm, cpu): `<dir>/model.json` holding modelTopology,
 * weightsManifest `[{ paths: ['weights.bin'], weights: specs }]`, format/generatedBy/convertedBy (and
 * trainingConfig/signature/userDefinedMetadata/modelInitializer when present), plus `<dir>/weights.bin`.
 * Writes are atomic (temp file + rename; weights first, then model.json). `pathOrUrl` is a directory (save/load)
 * or the path of a model.json (load), with or without `file://`.
 */
export function fileSystemIOHandler(pathOrUrl: string): tf.io.IOHandler {
  const p = parsePath(pathOrUrl);
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer)
        throw new InternalError(`fileSystemIOHandler: binary model topology is not supported (${p})`);
      const dir = basename(p) === MODEL_JSON ? dirname(p) : p;
      if (existsSync(dir) && !statSync(dir).isDirectory())
        throw new UserError(`fileSystemIOHandler: ${dir} exists and is not a directory`);
      mkdirSync(dir, { recursive: true });
      const weightData = artifacts.weightData
        ? tf.io.CompositeArrayBuffer.join(artifacts.weightData)
        : new ArrayBuffer(0);
      const modelJSON: Record<string, unknown> = {
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
      };
      if (artifacts.trainingConfig != null) modelJSON.trainingConfig = artifacts.trainingConfig;
      if (artifacts.signature != null) modelJSON.signature = artifacts.signature;
      if (artifacts.userDefinedMetadata != null)
        modelJSON.userDefinedMetadata = artifacts.userDefinedMetadata;
      if (artifacts.modelInitializer != null) modelJSON.modelInitializer = artifacts.modelInitializer;
      writeAtomic(join(dir, WEIGHTS_BIN), new Uint8Array(weightData));
      writeAtomic(join(dir, MODEL_JSON), JSON.stringify(modelJSON));
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: JSON.stringify(artifacts.modelTopology).length,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
          weightDataBytes: weightData.byteLength,
        },
      };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const jsonPath = existsSync(p) && statSync(p).isDirectory() ? join(p, MODEL_JSON) : p;
      if (!existsSync(jsonPath)) throw new UserError(`fileSystemIOHandler: no model at ${jsonPath}`);
      let modelJSON: tf.io.ModelJSON;
      try {
        modelJSON = JSON.parse(readFileSync(jsonPath, 'utf8')) as tf.io.ModelJSON;
      } catch (e) {
        throw new UserError(`fileSystemIOHandler: ${jsonPath} is not valid JSON: ${(e as Error).message}`);
      }
      const base = dirname(jsonPath);
      return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const parts: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const rel of group.paths) {
            const f = join(base, rel);
            if (!existsSync(f)) throw new UserError(`fileSystemIOHandler: weights file missing: ${f}`);
            const buf = readFileSync(f);
            parts.push(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
          }
        }
        return [specs, tf.io.CompositeArrayBuffer.join(parts)];
      });
    },
  };
}

let registered = false;

/** Whether @tensorflow/tfjs-node (which brings its own `file://` handler) is loaded on this tfjs-core. */
function nativeLoaded(): boolean {
  return tf.findBackendFactory('tensorflow') != null;
}

/**
 * Registers {@link fileSystemIOHandler} for `file://` URLs in tf.io's save and load routers, so that
 * `model.save('file://dir')` and `tf.loadLayersModel('file://dir/model.json')` work on wasm/cpu. Does nothing
 * when tfjs-node is loaded (it registers its own) or when already registered. Returns whether it registered.
 */
export function registerFileIOHandlers(): boolean {
  if (registered || nativeLoaded()) return false;
  // tf.io routers return null for URLs they do not handle (the IORouter type omits it).
  const router = ((url: string | string[]): tf.io.IOHandler | null =>
    typeof url === 'string' && url.startsWith('file://') ? fileSystemIOHandler(url) : null) as Parameters<
    typeof tf.io.registerSaveRouter
  >[0];
  tf.io.registerSaveRouter(router);
  tf.io.registerLoadRouter(router);
  registered = true;
  return true;
}
