/* Draws LINE messages as a phone shows them: text, images, stickers, locations, template
   messages and Flex bubbles/carousels (as cards, not JSON). Every tappable thing calls
   onAction(action) with the LINE action object. Exposes window.LineRender. */
(function () {
  "use strict";

  const TEXT_SIZES = { xxs: 11, xs: 13, sm: 14, md: 16, lg: 19, xl: 22, xxl: 29,
                       "3xl": 35, "4xl": 48, "5xl": 74 };
  const SPACING = { none: 0, xs: 2, sm: 4, md: 8, lg: 12, xl: 16, xxl: 20 };
  const IMAGE_SIZES = { xxs: 40, xs: 60, sm: 80, md: 100, lg: 120, xl: 140, xxl: 160,
                        "3xl": 180, "4xl": 200, "5xl": 240 };
  const ICON_SIZES = { xxs: 11, xs: 13, sm: 14, md: 16, lg: 19, xl: 22, xxl: 29,
                       "3xl": 35, "4xl": 48, "5xl": 74 };
  const SECTION_PADDING = { header: "16px", hero: "0", body: "16px", footer: "10px" };
  const BUBBLE_WIDTHS = { nano: 120, micro: 160, deca: 220, hecto: 241, kilo: 260,
                          mega: 300, giga: 386 };

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function px(value, table) {
    if (value === undefined || value === null) return null;
    if (table && Object.prototype.hasOwnProperty.call(table, value)) return table[value] + "px";
    return String(value);  // "12px", "50%"
  }

  function tappable(node, action, onAction) {
    if (!action) return node;
    node.classList.add("tappable");
    node.setAttribute("role", "button");
    node.tabIndex = 0;
    node.dataset.action = action.type;
    node.addEventListener("click", (event) => { event.stopPropagation(); onAction(action); });
    return node;
  }

  function actionButton(action, onAction, className) {
    const button = el("button", className || "action-button", action.label || action.text || action.type);
    button.type = "button";
    button.dataset.action = action.type;
    button.addEventListener("click", () => onAction(action));
    return button;
  }

  /* -- Flex ------------------------------------------------------------------------------------ */

  function applyCommon(node, c, parent) {
    const flex = c.flex !== undefined ? c.flex : (parent && parent.layout !== "vertical" ? 1 : 0);
    node.style.flex = flex === 0 ? "0 0 auto" : flex + " 0 0";
    if (flex !== 0) node.style.minWidth = "0";
    const margin = px(c.margin, SPACING);
    if (margin) {
      if (parent && parent.layout !== "vertical") node.style.marginLeft = margin;
      else node.style.marginTop = margin;
    }
    if (c.position === "absolute") {
      node.style.position = "absolute";
      for (const side of ["Top", "Bottom", "Start", "End"]) {
        const value = px(c["offset" + side], SPACING);
        if (value) node.style[{ Start: "left", End: "right" }[side] || side.toLowerCase()] = value;
      }
    } else {
      const top = px(c.offsetTop, SPACING);
      const start = px(c.offsetStart, SPACING);
      if (top || start) {
        node.style.position = "relative";
        if (top) node.style.top = top;
        if (start) node.style.left = start;
      }
    }
    if (c.align) node.style.alignSelf = { start: "flex-start", end: "flex-end", center: "center" }[c.align] || "";
    if (c.gravity && parent && parent.layout !== "vertical") {
      node.style.alignSelf = { top: "flex-start", bottom: "flex-end", center: "center" }[c.gravity] || "";
    }
  }

  function flexBox(c, onAction, parent) {
    const node = el("div", "fx-box fx-" + (c.layout || "vertical"));
    node.style.display = "flex";
    node.style.flexDirection = c.layout === "vertical" ? "column" : "row";
    if (c.layout === "baseline") node.style.alignItems = "baseline";
    applyCommon(node, c, parent);
    if (c.backgroundColor) node.style.backgroundColor = c.backgroundColor;
    if (c.background && c.background.type === "linearGradient") {
      node.style.backgroundImage = "linear-gradient(" + (c.background.angle || "0deg") + ", " +
        c.background.startColor + ", " + (c.background.centerColor ? c.background.centerColor + ", " : "") +
        c.background.endColor + ")";
    }
    if (c.borderColor) node.style.borderColor = c.borderColor;
    if (c.borderWidth) {
      node.style.borderStyle = "solid";
      node.style.borderWidth = px(c.borderWidth, { none: 0, light: 0.5, normal: 1, medium: 2,
                                                   "semi-bold": 3, bold: 4 });
    }
    if (c.cornerRadius) node.style.borderRadius = px(c.cornerRadius, SPACING);
    if (c.width) node.style.width = c.width;
    if (c.maxWidth) node.style.maxWidth = c.maxWidth;
    if (c.height) node.style.height = c.height;
    if (c.maxHeight) node.style.maxHeight = c.maxHeight;
    for (const [key, css] of [["paddingAll", "padding"], ["paddingTop", "paddingTop"],
      ["paddingBottom", "paddingBottom"], ["paddingStart", "paddingLeft"], ["paddingEnd", "paddingRight"]]) {
      const value = px(c[key], SPACING);
      if (value) node.style[css] = value;
    }
    if (c.justifyContent) node.style.justifyContent = c.justifyContent;
    if (c.alignItems) node.style.alignItems = c.alignItems;
    const gap = px(c.spacing, SPACING);
    if (gap) node.style.gap = gap;
    for (const child of c.contents || []) node.appendChild(flexComponent(child, onAction, c));
    return tappable(node, c.action, onAction);
  }

  function styleText(node, c) {
    const size = px(c.size, TEXT_SIZES);
    if (size) node.style.fontSize = size;
    if (c.weight === "bold") node.style.fontWeight = "700";
    if (c.color) node.style.color = c.color;
    if (c.style === "italic") node.style.fontStyle = "italic";
    if (c.decoration && c.decoration !== "none") node.style.textDecoration = c.decoration;
  }

  function flexText(c, onAction, parent) {
    const node = el("div", "fx-text");
    if (Array.isArray(c.contents) && c.contents.length) {
      for (const span of c.contents) {
        const s = el("span", "fx-span", span.text || "");
        styleText(s, span);
        node.appendChild(s);
      }
    } else {
      node.textContent = c.text || "";
    }
    styleText(node, c);
    applyCommon(node, c, parent);
    if (c.align) node.style.textAlign = c.align === "start" ? "left" : c.align === "end" ? "right" : "center";
    if (c.wrap) {
      node.style.whiteSpace = "pre-wrap";
      if (c.maxLines) {
        node.style.display = "-webkit-box";
        node.style.webkitBoxOrient = "vertical";
        node.style.webkitLineClamp = String(c.maxLines);
        node.style.overflow = "hidden";
      }
    } else {
      node.classList.add("fx-nowrap");
    }
    if (c.lineSpacing) node.style.lineHeight = "calc(1.4em + " + c.lineSpacing + ")";
    return tappable(node, c.action, onAction);
  }

  function flexImage(c, onAction, parent) {
    const wrap = el("div", "fx-image");
    applyCommon(wrap, c, parent);
    const img = el("img");
    img.alt = "";
    img.src = c.url;
    img.loading = "lazy";
    img.addEventListener("error", () => wrap.classList.add("broken"));
    const size = c.size || "md";
    if (size === "full") {
      wrap.style.width = "100%";
    } else {
      wrap.style.width = px(size, IMAGE_SIZES);
      wrap.style.maxWidth = "100%";
    }
    const ratio = (c.aspectRatio || "1:1").split(":").map(Number);
    if (ratio.length === 2 && ratio[0] > 0 && ratio[1] > 0) wrap.style.aspectRatio = ratio[0] + " / " + ratio[1];
    img.style.objectFit = c.aspectMode === "cover" ? "cover" : "contain";
    if (c.backgroundColor) wrap.style.backgroundColor = c.backgroundColor;
    if (!c.align && size !== "full") wrap.style.alignSelf = "center";
    wrap.appendChild(img);
    return tappable(wrap, c.action, onAction);
  }

  function flexIcon(c) {
    const img = el("img", "fx-icon");
    img.alt = "";
    img.src = c.url;
    const size = px(c.size || "md", ICON_SIZES);
    img.style.height = size;
    img.style.width = size;
    const margin = px(c.margin, SPACING);
    if (margin) img.style.marginLeft = margin;
    return img;
  }

  function flexButton(c, onAction, parent) {
    const style = c.style || "link";
    const button = actionButton(c.action || {}, onAction, "fx-button fx-button-" + style +
      (c.height === "sm" ? " fx-button-sm" : ""));
    applyCommon(button, c, parent);
    if (c.color) {
      if (style === "link") button.style.color = c.color;
      else button.style.backgroundColor = c.color;
    }
    return button;
  }

  function flexComponent(c, onAction, parent) {
    switch (c.type) {
      case "box": return flexBox(c, onAction, parent);
      case "text": return flexText(c, onAction, parent);
      case "image": return flexImage(c, onAction, parent);
      case "icon": return flexIcon(c);
      case "button": return flexButton(c, onAction, parent);
      case "separator": {
        const node = el("div", "fx-separator");
        if (c.color) node.style.backgroundColor = c.color;
        applyCommon(node, Object.assign({ flex: 0 }, c), parent);
        if (parent && parent.layout !== "vertical") node.classList.add("fx-separator-v");
        return node;
      }
      case "filler": {
        const node = el("div", "fx-filler");
        node.style.flex = (c.flex === undefined ? 1 : c.flex) + " 0 0";
        return node;
      }
      case "span": return el("span", "fx-span", c.text);
      case "video": return c.altContent ? flexComponent(c.altContent, onAction, parent)
        : el("div", "fx-text", "[video]");
      default: return el("div", "fx-text", "[" + c.type + "]");
    }
  }

  function flexBubble(bubble, onAction) {
    const node = el("div", "fx-bubble");
    node.style.width = (BUBBLE_WIDTHS[bubble.size || "mega"] || 300) + "px";
    if (bubble.direction === "rtl") node.dir = "rtl";
    const styles = bubble.styles || {};
    for (const part of ["header", "hero", "body", "footer"]) {
      const block = bubble[part];
      if (!block) continue;
      const section = el("div", "fx-section fx-" + part);
      const style = styles[part] || {};
      if (style.backgroundColor) section.style.backgroundColor = style.backgroundColor;
      if (style.separator) section.classList.add("fx-section-separator");
      if (style.separatorColor) section.style.borderTopColor = style.separatorColor;
      const content = flexComponent(block, onAction, { layout: "vertical" });
      // A block is as wide as its bubble (never wider: LINE wraps or cuts text to fit the bubble).
      content.style.flex = "1 1 0";
      content.style.minWidth = "0";
      const padded = ["paddingAll", "paddingTop", "paddingBottom", "paddingStart", "paddingEnd"]
        .some((key) => block[key] !== undefined);
      // LINE pads a block's own box (so its background fills the block): 20px, the footer 10px.
      if (block.type === "box" && !padded) content.style.padding = SECTION_PADDING[part];
      section.appendChild(content);
      node.appendChild(section);
    }
    return tappable(node, bubble.action, onAction);
  }

  function flex(contents, onAction) {
    if (contents.type === "carousel") {
      const row = el("div", "fx-carousel");
      for (const bubble of contents.contents || []) row.appendChild(flexBubble(bubble, onAction));
      return row;
    }
    return flexBubble(contents, onAction);
  }

  /* -- templates -------------------------------------------------------------------------------- */

  function templateColumn(column, onAction, defaults) {
    const card = el("div", "tpl-card");
    if (column.thumbnailImageUrl) {
      const img = el("img", "tpl-thumb");
      img.alt = "";
      img.src = column.thumbnailImageUrl;
      img.style.aspectRatio = defaults.imageAspectRatio === "square" ? "1 / 1" : "1.51 / 1";
      img.addEventListener("error", () => img.classList.add("broken"));
      card.appendChild(img);
    }
    if (column.title) card.appendChild(el("div", "tpl-title", column.title));
    if (column.text) card.appendChild(el("div", "tpl-text", column.text));
    const actions = el("div", "tpl-actions");
    for (const action of column.actions || []) actions.appendChild(actionButton(action, onAction, "tpl-action"));
    card.appendChild(actions);
    return tappable(card, column.defaultAction, onAction);
  }

  function template(t, onAction) {
    switch (t.type) {
      case "buttons": return templateColumn(t, onAction, t);
      case "confirm": {
        const card = el("div", "tpl-card tpl-confirm");
        card.appendChild(el("div", "tpl-text", t.text));
        const actions = el("div", "tpl-actions tpl-actions-row");
        for (const action of t.actions || []) actions.appendChild(actionButton(action, onAction, "tpl-action"));
        card.appendChild(actions);
        return card;
      }
      case "carousel": {
        const row = el("div", "fx-carousel");
        for (const column of t.columns || []) row.appendChild(templateColumn(column, onAction, t));
        return row;
      }
      case "image_carousel": {
        const row = el("div", "fx-carousel");
        for (const column of t.columns || []) {
          const card = el("div", "tpl-image-card");
          const img = el("img");
          img.alt = "";
          img.src = column.imageUrl;
          card.appendChild(img);
          if (column.action && column.action.label) card.appendChild(el("div", "tpl-image-label", column.action.label));
          row.appendChild(tappable(card, column.action, onAction));
        }
        return row;
      }
      default: return el("div", "bubble", "[template " + t.type + "]");
    }
  }

  /* -- messages --------------------------------------------------------------------------------- */

  function textV2(message) {
    const subs = message.substitution || {};
    return (message.text || "").replace(/\{([A-Za-z0-9_]+)\}/g, (whole, key) => {
      const sub = subs[key];
      if (!sub) return whole;
      if (sub.type === "mention") return "@" + (sub.mentionee && sub.mentionee.type === "all" ? "All" : "you");
      return "(emoji)";
    });
  }

  function imageBox(url, alt) {
    const wrap = el("div", "msg-image");
    const img = el("img");
    img.alt = alt || "image";
    img.src = url;
    img.addEventListener("error", () => {
      wrap.classList.add("broken");
      wrap.title = url;
    });
    wrap.appendChild(img);
    return wrap;
  }

  function message(m, onAction) {
    switch (m.type) {
      case "text": return el("div", "bubble", m.text);
      case "textV2": return el("div", "bubble", textV2(m));
      case "image": return imageBox(m.previewImageUrl || m.originalContentUrl);
      case "sticker": return el("div", "sticker", "(sticker " + m.packageId + "/" + m.stickerId + ")");
      case "location": {
        const card = el("div", "bubble location");
        card.appendChild(el("div", "loc-title", (m.title || "Location")));
        if (m.address) card.appendChild(el("div", "loc-address", m.address));
        card.appendChild(el("div", "loc-coords", m.latitude + ", " + m.longitude));
        return card;
      }
      case "flex": {
        const node = flex(m.contents || {}, onAction);
        node.dataset.altText = m.altText || "";
        node.classList.add("flex-message");
        return node;
      }
      case "template": return template(m.template || {}, onAction);
      case "imagemap": {
        const node = imageBox(m.baseUrl + "/1040", m.altText);
        node.classList.add("imagemap");
        return node;
      }
      case "video": return el("div", "bubble", "[video]");
      case "audio": return el("div", "bubble", "[audio]");
      default: return el("div", "bubble", "[" + m.type + "]");
    }
  }

  window.LineRender = { message: message, flex: flex, el: el };
})();
