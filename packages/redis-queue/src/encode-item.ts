import { describeThrown, show } from "@octo/internal";
import { type Codec, UnencodableValueError } from "./codec";
import { UnencodableItemError } from "./errors";

/** Encodes one item through the codec; any refusal becomes `UnencodableItemError` for `index`. */
export function encodeItem<T>(codec: Codec<T>, item: T, index: number): string {
  let text: unknown;
  try {
    text = codec.encode(item);
  } catch (error) {
    if (error instanceof UnencodableValueError)
      throw new UnencodableItemError(index, error.path, error.reason);
    throw new UnencodableItemError(index, "", `the codec threw: ${describeThrown(error)}`);
  }
  if (typeof text !== "string") {
    throw new UnencodableItemError(index, "", `the codec returned ${show(text)}, not a string`);
  }
  return text;
}
