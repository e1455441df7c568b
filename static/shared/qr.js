// A QR code as SVG, for turning on two-factor sign-in (the portal's and the staff screen's
// account screens). The server computes the code (`POST /me/mfa/totp` answers `qr: {size, rows}`,
// each row a string of "0"/"1"); this only draws it, with DOM calls (no markup is parsed).

const NS = "http://www.w3.org/2000/svg";

/** The dark modules of `qr` as one SVG path, with a quiet zone of 4 modules; `label` names it. */
export function qrCode(qr, label) {
  const edge = qr.size + 8;
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${edge} ${edge}`);
  svg.setAttribute("width", "232");
  svg.setAttribute("height", "232");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  svg.setAttribute("class", "qr");
  svg.setAttribute("id", "mfa-qr");
  svg.setAttribute("shape-rendering", "crispEdges");
  const background = document.createElementNS(NS, "rect");
  background.setAttribute("width", String(edge));
  background.setAttribute("height", String(edge));
  background.setAttribute("fill", "#fff");
  const dark = [];
  qr.rows.forEach((row, y) => {
    for (let x = 0; x < row.length; x++) if (row[x] === "1") dark.push(`M${x + 4} ${y + 4}h1v1h-1z`);
  });
  const path = document.createElementNS(NS, "path");
  path.setAttribute("d", dark.join(""));
  path.setAttribute("fill", "#000");
  svg.append(background, path);
  return svg;
}
