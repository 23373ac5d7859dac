/**
 * Drawn illustrations (SVG as data URIs, so they work in <Image> on both platforms). Example photos
 * are drawn figures, never real faces.
 */

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Base64 of an ASCII string (no btoa in the mini-program). */
function base64(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i += 3) {
    const a = s.charCodeAt(i);
    const b = i + 1 < s.length ? s.charCodeAt(i + 1) : NaN;
    const c = i + 2 < s.length ? s.charCodeAt(i + 2) : NaN;
    const n = (a << 16) | ((Number.isNaN(b) ? 0 : b) << 8) | (Number.isNaN(c) ? 0 : c);
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]! + (Number.isNaN(b) ? "=" : B64[(n >> 6) & 63]!) + (Number.isNaN(c) ? "=" : B64[n & 63]!);
  }
  return out;
}

export function svgUri(svg: string): string {
  return `data:image/svg+xml;base64,${base64(svg)}`;
}

export type PortraitFlaw =
  | "good"
  | "background"
  | "clothes"
  | "glasses"
  | "hat"
  | "tilt"
  | "shoulders"
  | "eyesClosed"
  | "mouthOpen"
  | "shadow"
  | "dark"
  | "highlight"
  | "blur"
  | "grey"
  | "twoFaces"
  | "small"
  | "cropped"
  | "fringe"
  | "earsHidden"
  | "accessories"
  | "rephoto";

const SKIN = "#F3CFAE";
const SKIN_DARK = "#E2B48E";
const HAIR = "#2B2B2B";
const BLUE_BG = "#64C5FF";

function head(flaw: PortraitFlaw): string {
  const eyes =
    flaw === "eyesClosed"
      ? `<path d="M46 70 Q50 73 54 70 M66 70 Q70 73 74 70" stroke="${HAIR}" stroke-width="2" fill="none" stroke-linecap="round"/>`
      : `<circle cx="50" cy="70" r="2.6" fill="${HAIR}"/><circle cx="70" cy="70" r="2.6" fill="${HAIR}"/>`;
  const mouth =
    flaw === "mouthOpen"
      ? `<ellipse cx="60" cy="91" rx="6" ry="4.5" fill="#8E3B33"/>`
      : `<path d="M54 90 Q60 93.5 66 90" stroke="#B5655B" stroke-width="2" fill="none" stroke-linecap="round"/>`;
  const hairTop =
    flaw === "earsHidden"
      ? `<path d="M31 96 C26 60 34 38 60 37 C86 38 94 60 89 96 C86 84 85 66 84 62 C78 52 70 49 60 49 C50 49 42 52 36 62 C35 66 34 84 31 96 Z" fill="${HAIR}"/>`
      : `<path d="M35 66 C33 44 45 37 60 37 C75 37 87 44 85 66 C81 55 71 50 60 50 C49 50 39 55 35 66 Z" fill="${HAIR}"/>`;
  const fringe = flaw === "fringe" ? `<path d="M38 58 C44 50 56 48 80 52 C82 62 80 72 76 76 C70 66 58 62 40 74 Z" fill="${HAIR}"/>` : "";
  const glasses =
    flaw === "glasses"
      ? `<rect x="41" y="64" width="16" height="11" rx="4" fill="#111827" opacity="0.9"/><rect x="63" y="64" width="16" height="11" rx="4" fill="#111827" opacity="0.9"/><path d="M57 68 L63 68" stroke="#111827" stroke-width="2"/>`
      : "";
  const hat =
    flaw === "hat"
      ? `<path d="M34 56 C35 33 85 33 86 56 Z" fill="#C2410C"/><rect x="27" y="54" width="66" height="6" rx="3" fill="#9A3412"/>`
      : "";
  const shadow = flaw === "shadow" ? `<path d="M60 42 C76 42 84 56 84 72 C84 90 74 102 60 102 Z" fill="#000" opacity="0.35"/>` : "";
  const highlight = flaw === "highlight" ? `<ellipse cx="56" cy="55" rx="9" ry="5" fill="#fff" opacity="0.9"/><ellipse cx="68" cy="80" rx="5" ry="3" fill="#fff" opacity="0.85"/>` : "";
  // earrings (a stud and a drop) and a necklace
  const jewellery =
    flaw === "accessories"
      ? `<circle cx="35" cy="82" r="2.2" fill="#F5C542" stroke="#B7791F" stroke-width="0.8"/><path d="M84 80 L84 86" stroke="#B7791F" stroke-width="1"/><circle cx="84" cy="88" r="2.6" fill="#F5C542" stroke="#B7791F" stroke-width="0.8"/><path d="M50 110 Q60 124 70 110" stroke="#F5C542" stroke-width="1.8" fill="none"/><circle cx="60" cy="118" r="2.4" fill="#F5C542" stroke="#B7791F" stroke-width="0.8"/>`
      : "";
  const tilt = flaw === "tilt" ? ` transform="rotate(-14 60 100)"` : "";
  return `<g${tilt}>
<rect x="52" y="96" width="16" height="26" fill="${SKIN_DARK}"/>
<ellipse cx="36" cy="74" rx="4.5" ry="7.5" fill="${SKIN}"/><ellipse cx="84" cy="74" rx="4.5" ry="7.5" fill="${SKIN}"/>
<ellipse cx="60" cy="72" rx="24" ry="30" fill="${SKIN}"/>
${hairTop}
<path d="M45 63 L54 61.5 M66 61.5 L75 63" stroke="${HAIR}" stroke-width="2.2" stroke-linecap="round"/>
${eyes}
<path d="M60 73 L57.5 82 L62 82" stroke="#D29A74" stroke-width="1.6" fill="none" stroke-linecap="round" stroke-linejoin="round"/>
${mouth}${fringe}${glasses}${hat}${shadow}${highlight}${jewellery}
</g>`;
}

function body(flaw: PortraitFlaw): string {
  const suit = flaw === "clothes" ? "#5DB9F2" : "#2F3B52";
  const rot = flaw === "shoulders" ? ` transform="rotate(9 60 140)"` : "";
  return `<g${rot}><path d="M6 160 C8 134 28 123 46 119 L74 119 C92 123 112 134 114 160 Z" fill="${suit}"/>
<path d="M51 119 L60 137 L69 119 Z" fill="#fff"/></g>`;
}

/** A 3:4 example ID photo with one flaw (or none). */
export function portrait(flaw: PortraitFlaw = "good"): string {
  const bg = flaw === "background" ? "#EFE6D2" : flaw === "grey" ? "#C9C9C9" : BLUE_BG;
  const bgDetail =
    flaw === "background"
      ? `<rect x="0" y="14" width="120" height="4" fill="#C8B48F"/><rect x="6" y="20" width="10" height="40" fill="#B45309" opacity="0.5"/><rect x="18" y="26" width="8" height="34" fill="#047857" opacity="0.45"/><rect x="98" y="22" width="12" height="38" fill="#1D4ED8" opacity="0.35"/>`
      : "";
  let figure = `${body(flaw)}${head(flaw)}`;
  if (flaw === "twoFaces") figure = `<g transform="translate(40 10) scale(0.78)" opacity="0.95">${body("good")}${head("good")}</g>${figure}`;
  if (flaw === "small") figure = `<g transform="translate(30 52) scale(0.5)">${figure}</g>`;
  if (flaw === "cropped") figure = `<g transform="translate(-24 -14) scale(1.4)">${figure}</g>`;
  const filters =
    flaw === "blur"
      ? `<defs><filter id="f" x="-10%" y="-10%" width="120%" height="120%"><feGaussianBlur stdDeviation="2.4"/></filter></defs>`
      : flaw === "grey"
        ? `<defs><filter id="f"><feColorMatrix type="saturate" values="0"/></filter></defs>`
        : "";
  const filterAttr = flaw === "blur" || flaw === "grey" ? ` filter="url(#f)"` : "";
  const dark = flaw === "dark" ? `<rect width="120" height="160" fill="#000" opacity="0.5"/>` : "";
  let inner = `${filters}<g${filterAttr}><rect width="120" height="160" fill="${bg}"/>${bgDetail}${figure}</g>${dark}`;
  if (flaw === "rephoto") {
    inner = `<rect width="120" height="160" fill="#8B6B4A"/><g transform="rotate(-6 60 80)"><rect x="14" y="18" width="92" height="124" fill="#fff"/><g transform="translate(19 23) scale(0.683)"><rect width="120" height="160" fill="${BLUE_BG}"/>${body("good")}${head("good")}</g><rect x="14" y="18" width="92" height="124" fill="#fff" opacity="0.25"/></g>`;
  }
  return svgUri(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 160" width="240" height="320"><clipPath id="c"><rect width="120" height="160" rx="6"/></clipPath><g clip-path="url(#c)">${inner}</g></svg>`);
}

/** The guide drawn over the camera: head outline and shoulder line (3:4). */
export function cameraGuide(): string {
  return svgUri(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 400" width="300" height="400">
<defs><mask id="m"><rect width="300" height="400" fill="#fff"/><ellipse cx="150" cy="165" rx="78" ry="100" fill="#000"/></mask></defs>
<rect width="300" height="400" fill="#000" opacity="0.28" mask="url(#m)"/>
<ellipse cx="150" cy="165" rx="78" ry="100" fill="none" stroke="#fff" stroke-width="3" stroke-dasharray="10 8"/>
<path d="M22 398 C30 330 80 300 118 290 M182 290 C220 300 270 330 278 398" fill="none" stroke="#fff" stroke-width="3" stroke-dasharray="10 8" stroke-linecap="round"/>
<path d="M40 292 L260 292" stroke="#FACC15" stroke-width="2" stroke-dasharray="4 6"/>
<path d="M150 48 L150 62 M150 268 L150 282" stroke="#fff" stroke-width="2"/>
</svg>`);
}

/** A 采集码 card as 学信网 shows it (the QR pattern is decorative). */
export function captureCodeArt(): string {
  const cells: string[] = [];
  let seed = 7;
  for (let y = 0; y < 21; y++)
    for (let x = 0; x < 21; x++) {
      const finder = (x < 7 && y < 7) || (x > 13 && y < 7) || (x < 7 && y > 13);
      if (finder) continue;
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      if (seed % 3 === 0) cells.push(`<rect x="${30 + x * 4}" y="${44 + y * 4}" width="4" height="4"/>`);
    }
  const finder = (x: number, y: number) =>
    `<rect x="${x}" y="${y}" width="28" height="28" fill="#111"/><rect x="${x + 4}" y="${y + 4}" width="20" height="20" fill="#fff"/><rect x="${x + 8}" y="${y + 8}" width="12" height="12" fill="#111"/>`;
  return svgUri(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 144 180" width="288" height="360">
<rect width="144" height="180" rx="10" fill="#fff" stroke="#D6DEEB"/>
<rect width="144" height="30" rx="10" fill="#1E5EFF"/><rect y="20" width="144" height="10" fill="#1E5EFF"/>
<rect x="44" y="11" width="56" height="8" rx="4" fill="#fff" opacity="0.9"/>
<g fill="#111">${cells.join("")}</g>${finder(30, 44)}${finder(86, 44)}${finder(30, 100)}
<rect x="30" y="140" width="84" height="6" rx="3" fill="#CBD5E1"/><rect x="44" y="152" width="56" height="6" rx="3" fill="#E2E8F0"/>
</svg>`);
}

/** Simple line icons (stroke colour as given). */
export function icon(name: "camera" | "album" | "qr" | "phone" | "clock" | "shield" | "check" | "cross" | "info" | "sun" | "user" | "doc", color = "#2563EB"): string {
  const s = `fill="none" stroke="${color}" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"`;
  const paths: Record<typeof name, string> = {
    camera: `<path ${s} d="M4 8h3l2-3h6l2 3h3v11H4z"/><circle ${s} cx="12" cy="13" r="3.5"/>`,
    album: `<rect ${s} x="3" y="4" width="18" height="16" rx="2"/><circle ${s} cx="9" cy="10" r="2"/><path ${s} d="M21 16l-5-5-9 9"/>`,
    qr: `<path ${s} d="M4 4h6v6H4zM14 4h6v6h-6zM4 14h6v6H4zM14 14h2v2h-2zM18 18h2v2h-2zM14 18h2"/>`,
    phone: `<path ${s} d="M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2"/>`,
    clock: `<circle ${s} cx="12" cy="12" r="9"/><path ${s} d="M12 7v5l3 2"/>`,
    shield: `<path ${s} d="M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z"/><path ${s} d="M8.5 12l2.5 2.5 4.5-5"/>`,
    check: `<circle cx="12" cy="12" r="10" fill="${color}"/><path d="M7 12.5l3.2 3.2L17 9" fill="none" stroke="#fff" stroke-width="2.4" stroke-linecap="round" stroke-linejoin="round"/>`,
    cross: `<circle cx="12" cy="12" r="10" fill="${color}"/><path d="M8.5 8.5l7 7M15.5 8.5l-7 7" fill="none" stroke="#fff" stroke-width="2.4" stroke-linecap="round"/>`,
    info: `<circle ${s} cx="12" cy="12" r="9"/><path ${s} d="M12 11v6M12 7.5v.5"/>`,
    sun: `<circle ${s} cx="12" cy="12" r="4"/><path ${s} d="M12 2v2M12 20v2M2 12h2M20 12h2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4"/>`,
    user: `<circle ${s} cx="12" cy="8" r="4"/><path ${s} d="M4 21c0-4 4-6 8-6s8 2 8 6"/>`,
    doc: `<path ${s} d="M6 3h9l4 4v14H6z"/><path ${s} d="M9 11h7M9 15h7M9 7h4"/>`,
  };
  return svgUri(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="48" height="48">${paths[name]}</svg>`);
}

/** Which drawn example shows what a failed photo check asks for. */
export function flawForCheck(checkId: string): PortraitFlaw | null {
  const map: Record<string, PortraitFlaw> = {
    single_face: "twoFaces",
    face_resolution: "small",
    face_in_frame: "cropped",
    hair_in_frame: "cropped",
    chest_in_frame: "cropped",
    sides_in_frame: "cropped",
    frontal: "tilt",
    eyes_level: "tilt",
    shoulders_level: "shoulders",
    eyes_open: "eyesClosed",
    eyes_visible: "fringe",
    face_unoccluded: "fringe",
    ears_visible: "earsHidden",
    no_tinted_glasses: "glasses",
    no_hat: "hat",
    no_accessories: "accessories",
    mouth_closed: "mouthOpen",
    natural_expression: "mouthOpen",
    even_lighting: "shadow",
    exposure: "dark",
    no_highlights: "highlight",
    colour: "grey",
    sharp: "blur",
    not_rephotographed: "rephoto",
    clothes_contrast: "clothes",
    background: "background",
  };
  return map[checkId] ?? null;
}
