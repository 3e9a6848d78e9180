// What makes the page wider than the screen: each element that reaches past the right
// edge while its parent does not (so the element, not its container, is to blame), or,
// when none does, each element whose content spills out of it. Elements inside a box
// that scrolls or clips sideways are fine: that box keeps them on the screen.
() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  if (root.scrollWidth <= width) return [];
  const name = (el) => {
    const classes = typeof el.className === "string" ? el.className.trim() : "";
    return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
      + (classes ? "." + classes.split(/\s+/).join(".") : "");
  };
  const kept = (el) => {
    for (let p = el.parentElement; p && p !== root; p = p.parentElement) {
      const overflow = getComputedStyle(p).overflowX;
      if (["auto", "scroll", "hidden", "clip"].includes(overflow)) return true;
    }
    return false;
  };
  const text = (el) => (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 60);
  const found = [];
  for (const el of document.body.querySelectorAll("*")) {
    const right = el.getBoundingClientRect().right;
    const parent = el.parentElement ? el.parentElement.getBoundingClientRect().right : 0;
    if (right > width + 0.5 && parent <= width + 0.5 && !kept(el)) {
      found.push(`${name(el)} reaches ${Math.round(right)}px: "${text(el)}"`);
    }
  }
  if (!found.length) {
    for (const el of document.body.querySelectorAll("*")) {
      const spill = el.scrollWidth - el.clientWidth;
      const visible = getComputedStyle(el).overflowX === "visible";
      if (spill > 1 && visible && el.children.length === 0 && !kept(el)) {
        found.push(`${name(el)} spills ${spill}px: "${text(el)}"`);
      }
    }
  }
  return [`${root.scrollWidth}px wide on a ${width}px screen`, ...found.slice(0, 5)];
}
