import Taro from "@tarojs/taro";
import type { UploadFile } from "@gradphoto/api-client";
import { IS_H5 } from "./env";

/** A picked or taken image: a local path to show, and what the upload needs. */
export interface PickedImage {
  /** temp-file path (mini-program) or object URL (H5), for <Image src> */
  path: string;
  /** H5 only: the file itself */
  blob?: Blob;
  name: string;
  size: number;
}

/**
 * H5: a file input (with `capture` for the camera, so phones open it directly). Created per tap, the
 * way Taro's own chooseMedia does, so the browser's file chooser follows a user gesture.
 */
function pickInBrowser(source: "camera" | "album", facing: "user" | "environment"): Promise<PickedImage | null> {
  return new Promise((resolve) => {
    const input = document.createElement("input");
    input.type = "file";
    input.accept = "image/jpeg,image/png,image/*";
    input.setAttribute("data-testid", `file-input-${source}`);
    if (source === "camera") input.setAttribute("capture", facing);
    input.style.cssText = "position:fixed;left:-9999px;top:0;opacity:0";
    document.body.appendChild(input);
    const done = (v: PickedImage | null) => {
      input.remove();
      resolve(v);
    };
    input.onchange = () => {
      const f = input.files?.[0];
      done(f ? { path: URL.createObjectURL(f), blob: f, name: f.name || "photo.jpg", size: f.size } : null);
    };
    input.addEventListener("cancel", () => done(null));
    input.click();
  });
}

/** One image from the album (both platforms) or the camera app (H5). Null when the user cancels. */
export async function pickImage(source: "camera" | "album", facing: "user" | "environment" = "user"): Promise<PickedImage | null> {
  if (IS_H5) return pickInBrowser(source, facing);
  try {
    const r = await Taro.chooseMedia({ count: 1, mediaType: ["image"], sourceType: [source], sizeType: ["original"], camera: facing === "user" ? "front" : "back" });
    const f = r.tempFiles[0];
    return f ? { path: f.tempFilePath, name: "photo.jpg", size: f.size } : null;
  } catch (e) {
    if (/cancel/i.test((e as { errMsg?: string }).errMsg ?? "")) return null;
    throw e;
  }
}

/** What the API client uploads: the Blob in H5, the temp-file path in the mini-program. */
export function uploadOf(img: { path: string; blob?: Blob; name?: string }): UploadFile {
  const name = img.name ?? "photo.jpg";
  return { name, data: img.blob ?? img.path, contentType: /\.png$/i.test(name) ? "image/png" : "image/jpeg" };
}
