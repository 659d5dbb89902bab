/** A tensor saved alone as a TensorProto (.pb): the format of ONNX's test data. */
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { UserError } from "../errors.js";
import { withOneLineErrors } from "./one-line.js";
import { decodeTensorProto } from "./proto.js";
import { decodeTensor, type OnnxTensor } from "./tensor-data.js";

export function readTensorFile(file: string): OnnxTensor {
  return withOneLineErrors(() => read(file));
}

function read(file: string): OnnxTensor {
  const bytes = readFileSync(file);
  let proto: ReturnType<typeof decodeTensorProto>;
  try {
    proto = decodeTensorProto(bytes);
  } catch (error) {
    throw new UserError(`${file}: not an ONNX tensor (${(error as Error).message})`);
  }
  return decodeTensor(proto, { file, folder: dirname(file), allowFloat64: true });
}
