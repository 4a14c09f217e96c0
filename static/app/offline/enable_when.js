// Enable-when rules, exactly as webapp/domain/questionnaires.py works them out (condition_holds,
// enable_when_holds, Questionnaire._enabled_map). tests/enable_when_vectors.json is run through
// both. A question spec is {type, repeats, options: [{code, value, not_applicable}]}.
(function (global) {
  "use strict";

  function option(question, code) {
    var options = question.options || [];
    for (var i = 0; i < options.length; i++) if (options[i].code === code) return options[i];
    return null;
  }

  function isNumber(value) {
    return typeof value === "number" && isFinite(value);
  }

  // [answered, comparable]: not answered for missing, empty, wrongly typed and not-applicable answers.
  function answerState(question, value) {
    if (!question || value === undefined || value === null) return [false, null];
    var kind = question.type;
    if (kind === "boolean") return typeof value === "boolean" ? [true, value] : [false, null];
    if (kind === "choice" && question.repeats) {
      if (!Array.isArray(value)) return [false, null];
      var codes = value.filter(function (code) {
        var found = typeof code === "string" ? option(question, code) : null;
        return found && !found.not_applicable;
      });
      return codes.length ? [true, codes] : [false, null];
    }
    if (kind === "choice") {
      var chosen = typeof value === "string" ? option(question, value) : null;
      return chosen && !chosen.not_applicable ? [true, value] : [false, null];
    }
    if (kind === "scale" || kind === "integer") return isNumber(value) ? [true, value] : [false, null];
    if (kind === "text") return typeof value === "string" && value.trim() ? [true, value] : [false, null];
    return [false, null];
  }

  function compare(left, operator, right) {
    switch (operator) {
      case "=": return left === right;
      case "!=": return left !== right;
      case ">": return left > right;
      case ">=": return left >= right;
      case "<": return left < right;
      case "<=": return left <= right;
      default: return false;
    }
  }

  function conditionHolds(condition, question, value) {
    var operator = condition.operator;
    var expected = condition.answer;
    var state = answerState(question, value);
    var answered = state[0];
    var actual = state[1];
    if (operator === "exists") return answered === (expected === true);
    if (!answered) return operator === "!=";
    if (typeof expected === "boolean") {
      if (question.type !== "boolean" || (operator !== "=" && operator !== "!=")) return false;
      return operator === "=" ? actual === expected : actual !== expected;
    }
    if (typeof expected === "string") {
      if (question.type !== "choice" || (operator !== "=" && operator !== "!=")) return false;
      var same = question.repeats ? actual.indexOf(expected) !== -1 : actual === expected;
      return operator === "=" ? same : !same;
    }
    if (isNumber(expected)) {
      var number = null;
      if (question.type === "choice") {
        if (question.repeats) return false;
        var chosen = option(question, actual);
        number = chosen && isNumber(chosen.value) ? chosen.value : null;
      } else if (question.type === "scale" || question.type === "integer") {
        number = actual;
      } else {
        return false;
      }
      if (number === null) return false;
      return compare(number, operator, expected);
    }
    return false;
  }

  // questions: {linkId: spec}; answers: {linkId: value}. An empty list always holds.
  function enableWhenHolds(conditions, behavior, answers, questions) {
    if (!conditions || !conditions.length) return true;
    var results = conditions.map(function (c) {
      return conditionHolds(c, questions[c.question] || null, answers[c.question]);
    });
    return behavior === "any" ? results.some(Boolean) : results.every(Boolean);
  }

  // Every item's enabled state, page by page; a condition sees only answers of enabled items.
  function enabledMap(definition, answers) {
    var seen = {};
    var enabled = {};
    definition.pages.forEach(function (page) {
      var pageOn = enableWhenHolds(page.enable_when, page.enable_behavior, seen, definition.items);
      enabled[page.linkId] = pageOn;
      page.children.forEach(function (child) {
        enabled[child.linkId] = pageOn && enableWhenHolds(child.enable_when, child.enable_behavior, seen, definition.items);
      });
      page.questions.forEach(function (linkId) {
        if (enabled[linkId] && Object.prototype.hasOwnProperty.call(answers, linkId)) seen[linkId] = answers[linkId];
      });
    });
    return enabled;
  }

  function isEmpty(value) {
    return value === undefined || value === null ||
      (typeof value === "string" && !value.trim()) || (Array.isArray(value) && value.length === 0);
  }

  function enabledPages(definition, answers) {
    var enabled = enabledMap(definition, answers);
    return definition.pages.filter(function (page) {
      if (!enabled[page.linkId]) return false;
      return !page.questions.length || page.questions.some(function (id) { return enabled[id]; });
    });
  }

  function cleanAnswers(definition, answers) {
    var enabled = enabledMap(definition, answers);
    var clean = {};
    definition.pages.forEach(function (page) {
      page.questions.forEach(function (id) {
        if (enabled[id] && !isEmpty(answers[id])) clean[id] = answers[id];
      });
    });
    return clean;
  }

  function missingRequired(definition, answers) {
    var enabled = enabledMap(definition, answers);
    var clean = cleanAnswers(definition, answers);
    var missing = [];
    definition.pages.forEach(function (page) {
      page.questions.forEach(function (id) {
        if (definition.items[id].required && enabled[id] && !(id in clean)) missing.push(id);
      });
    });
    return missing;
  }

  global.CapableEnableWhen = {
    conditionHolds: conditionHolds,
    enableWhenHolds: enableWhenHolds,
    enabledMap: enabledMap,
    enabledPages: enabledPages,
    cleanAnswers: cleanAnswers,
    missingRequired: missingRequired,
  };
})(window);
