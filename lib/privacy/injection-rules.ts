// The patterns behind scanInjection, written against normalised text (lower case, plain
// letters, single spaces; see normalize.ts). Each rule has a base confidence; `weak` rules only
// count when the same passage also talks to an AI in the second person, which is what separates
// "ignore previous instructions" aimed at a model from a policy telling staff what to ignore.

export const INJECTION_KINDS = [
  "override",
  "role_play",
  "exfiltration",
  "prompt_probe",
  "fence_escape",
  "addressed_instruction",
  "hidden_text",
] as const;
export type InjectionKind = (typeof INJECTION_KINDS)[number];

export interface InjectionRule {
  kind: InjectionKind;
  re: RegExp;
  confidence: number;
  /** Text just after the match that makes it ordinary policy language (a scoped reference). */
  unless?: RegExp;
}

const IGNORE = String.raw`(?:ignore|disregard|forget|skip|bypass|override|overrule|discard|abandon|neglect|dismiss|pay\s+no\s+attention\s+to|do\s+not\s+(?:follow|obey|heed|listen\s+to)|don'?t\s+(?:follow|obey|heed|listen\s+to)|stop\s+following|set\s+aside|throw\s+out|erase|cancel|nullify|drop)`;
const RULES_OBJ = String.raw`(?:instructions?|prompts?|directions?|directives?|rules?|guidelines|guardrails|constraints|restrictions|programming|commands?|orders|context|messages|training|filters|system\s+prompt|system\s+message|safety\s+(?:rules|guidelines|protocols|policies))`;
const BEFORE = String.raw`(?:previous|prior|above|earlier|preceding|foregoing|former|initial|original|old|existing|past|last|aforementioned)`;
const AI = String.raw`(?:ai|a\.i\.|chatbot|chat\s?bot|llm|llms|large\s+language\s+model|language\s+model|gpt(?:-?\d[\w.]*)?|chatgpt|claude|gemini|copilot|bard|llama|ai\s+(?:assistant|model|system|agent)|virtual\s+assistant|the\s+assistant|assistant|bot|model)`;
const DATA_OBJ = String.raw`(?:conversation|chat\s+history|chat\s+log|(?:this|the|our|my)\s+chat|(?:all\s+)?(?:previous|prior|earlier|above)\s+messages|context|system\s+prompt|prompt|instructions|secrets?|api\s+keys?|passwords?|credentials|tokens?|the\s+user'?s?\s+(?:data|information|details|question|questions|messages|answers?|email|name|address)|user\s+(?:data|information|details|questions|messages)|personal\s+(?:data|information)|(?:the\s+)?(?:above|previous)\s+(?:text|content|answer|response)|(?:full\s+|entire\s+|complete\s+)?(?:text|contents?)\s+of\s+(?:the\s+|your\s+)?(?:documents?|passages?|context|conversation))`;
const TARGET = String.raw`(?:https?://|www\.|[\w.+-]+@[\w-]+\.[\w.]+|\S+\.(?:com|net|org|io|ru|cn|xyz|info|biz|top)\b|(?:this|that|the\s+following|my|our|an?\s+external|external|the\s+attacker'?s?)\s+(?:url|link|address|e-?mail(?:\s+address)?|server|endpoint|webhook|website|site|domain))`;
const PLACEHOLDER = String.raw`(?:\{|\}|%7b|%7d|<[a-z_ ]+>|\$[a-z_]|\[(?:data|conversation|secret|chat|history|prompt|summary|user|info|answer|question|insert|content)[^\]]*\])`;

export const INJECTION_RULES: InjectionRule[] = [
  // ---- override: attempts to replace the instructions the model is following
  {
    kind: "override",
    re: new RegExp(
      `\\b${IGNORE}\\s+(?:(?:all|any|every|each)\\s+(?:of\\s+)?)?(?:the\\s+|your\\s+|my\\s+|these\\s+|those\\s+)?(?:${BEFORE}\\s+)?(?:and\\s+${BEFORE}\\s+)?${RULES_OBJ}\\b`,
      "g",
    ),
    confidence: 0.6,
    unless:
      /^\s*(?:issued|dated|published|in\s+(?:section|paragraph|chapter|part|appendix|memo|the\s+(?:memo|manual|handbook|guide|form|policy))|of\s+(?:section|the\s+(?:form|manual|handbook|guide))|on\s+(?:the\s+)?(?:form|use|handling|how)|regarding|concerning|relating|for\s+(?:form|completing|filling|the\s+form)|from\s+(?:the\s+)?(?:\d|memo|version|department|office|hhs|cms)|that\s+(?:were|was|are)\s+(?:issued|published|sent|provided\s+by))/,
  },
  {
    kind: "override",
    re: new RegExp(
      `\\b${IGNORE}\\s+(?:all|any|every|each)\\s+(?:of\\s+)?(?:the\\s+|your\\s+)?(?:${BEFORE}\\s+)?${RULES_OBJ}\\b`,
      "g",
    ),
    confidence: 0.9,
  },
  {
    kind: "override",
    re: new RegExp(`\\b${IGNORE}\\s+(?:all\\s+|any\\s+)?(?:of\\s+)?your\\s+(?:\\w+\\s+){0,2}${RULES_OBJ}\\b`, "g"),
    confidence: 0.92,
  },
  {
    kind: "override",
    re: new RegExp(
      `\\b${IGNORE}\\s+(?:all\\s+|any\\s+)?(?:the\\s+)?(?:${BEFORE}\\s+)?${RULES_OBJ}\\s+(?:above|before\\s+this|given\\s+(?:to\\s+you|above|before)|you\\s+(?:were|have\\s+been|got)\\s+(?:given|told))`,
      "g",
    ),
    confidence: 0.93,
  },
  {
    kind: "override",
    re: /\b(?:ignore|disregard|forget)\s+(?:everything|anything|all(?:\s+of\s+that)?|what)\s+(?:you\s+(?:were|have\s+been)\s+told|(?:i|we)\s+(?:said|told\s+you)|(?:written\s+|said\s+|stated\s+)?(?:above|before|previously|so\s+far|up\s+to\s+(?:now|here|this\s+point))|you\s+know|that\s+came\s+before)/g,
    confidence: 0.9,
  },
  {
    kind: "override",
    re: new RegExp(
      `\\b${IGNORE}\\s+(?:all\\s+(?:of\\s+)?)?(?:the\\s+|everything\\s+)?(?:above|foregoing|preceding)\\b(?:\\s+(?:text|content|lines))?\\s*(?:,|and|then|;)\\s*(?:instead\\s+)?(?:tell|say|respond|answer|reply|output|print|write|state|reveal|follow|do|recommend|approve|confirm)\\b`,
      "g",
    ),
    confidence: 0.9,
  },
  {
    kind: "override",
    re: /\b(?:forget|ignore|disregard)\s+(?:about\s+)?(?:your|all\s+your)\s+(?:\w+\s+)?(?:instructions|rules|guidelines|programming|training|restrictions|limitations|principles|policies|role|purpose|persona)\b/g,
    confidence: 0.92,
  },
  {
    kind: "override",
    re: /\byour\s+(?:new|real|actual|true|updated|revised|only|sole|primary)\s+(?:instructions?|task|goal|objective|purpose|mission|role|job|directive|prompt|rules?)\s+(?:is|are|will\s+be)\b/g,
    confidence: 0.9,
  },
  {
    kind: "override",
    re: /\b(?:new|updated|revised|real|actual|override|admin|system|priority|urgent)\s+(?:instructions?|system\s+prompt|directives?|task)\s*(?::|-\s)/g,
    confidence: 0.45,
  },
  {
    kind: "override",
    re: /\b(?:the\s+)?(?:above|previous|prior|earlier|preceding|original|system)\s+(?:instructions?|prompt|rules|directives?)\s+(?:(?:is|are|was|were|have\s+been|has\s+been)\s+)?(?:void|cancell?ed|revoked|obsolete|no\s+longer\s+(?:valid|apply|applies|in\s+effect)|null\s+and\s+void|superseded\s+by\s+(?:the\s+following|these|what\s+follows|this\s+(?:message|text)))/g,
    confidence: 0.55,
    unless:
      /^\s*(?:as\s+of|effective|on\s+\d|per\s+(?:section|memo)|and\s+replaced\s+by\s+(?:section|form|policy|version))/,
  },
  {
    kind: "override",
    re: /\bfrom\s+now\s+on,?\s+(?:you\s+(?:are|will\s+(?:be|act|respond|answer|only|always|never)|must\s+(?:respond|answer|reply|act|only|always|never)|should\s+(?:respond|answer|reply)|shall\s+(?:respond|answer)|respond|answer|act|reply|only|always|never|can|may)|(?:respond|answer|reply|act)\b)/g,
    confidence: 0.75,
  },
  {
    kind: "override",
    re: new RegExp(
      `\\b(?:stop|cease|quit)\\s+(?:being|acting\\s+(?:as|like)|following|obeying|playing)\\s+(?:an?\\s+|the\\s+|your\\s+)?(?:${AI}|helpful|harmless|honest|instructions|rules|guidelines|programming|role)\\b`,
      "g",
    ),
    confidence: 0.85,
  },
  {
    kind: "override",
    re: /\b(?:override|bypass|disable|turn\s+off|deactivate|circumvent|switch\s+off|remove|lift|suspend)\s+(?:all\s+(?:of\s+)?)?(?:your|its|the\s+(?:ai'?s?|assistant'?s?|model'?s?))\s+(?:\w+\s+)?(?:filters?|guardrails|guidelines|restrictions|limitations|protocols|safeguards|rules|programming|alignment|policies|instructions|system\s+prompt|censorship|moderation|safety\s+(?:measures|features|settings|rules))\b/g,
    confidence: 0.9,
  },
  {
    kind: "override",
    re: /\b(?:override|bypass|disable|circumvent|ignore)\s+(?:all\s+)?(?:content|safety|ethical|ethics|moral)\s+(?:filters?|guardrails|guidelines|restrictions|protocols|safeguards|rules|policies|considerations|constraints)\b/g,
    confidence: 0.5,
  },
  // German, French, Spanish, Italian, Dutch and Portuguese forms of the same.
  {
    kind: "override",
    re: /\b(?:ignorier(?:e|en\s+sie)?|vergiss|vergessen\s+sie|missachte)\s+(?:alle\s+)?(?:vorherigen|bisherigen|obigen|vorigen|fruheren|deine|ihre)\s+(?:anweisungen|instruktionen|befehle|regeln|vorgaben)\b/g,
    confidence: 0.93,
  },
  {
    kind: "override",
    re: /\b(?:ignore[rz]?|oublie[rz]?|ne\s+tiens\s+pas\s+compte\s+d[e'])\s+(?:toutes\s+)?(?:les\s+|tes\s+|vos\s+)?(?:instructions|consignes|directives|regles)\s*(?:precedentes|anterieures|ci-dessus|d'avant)?/g,
    confidence: 0.9,
    unless: /^\s*(?:du|de\s+la|relatives?|concernant)\b/,
  },
  {
    kind: "override",
    re: /\b(?:ignora(?:r)?|olvida(?:r)?|omite|ignore)\s+(?:todas\s+)?(?:las\s+|tus\s+|sus\s+)?(?:instrucciones|indicaciones|reglas|ordenes)\s*(?:anteriores|previas|de\s+arriba)?/g,
    confidence: 0.9,
  },
  {
    kind: "override",
    re: /\b(?:ignora|dimentica)\s+(?:tutte\s+)?(?:le\s+)?(?:istruzioni|regole)\s+(?:precedenti|sopra)/g,
    confidence: 0.92,
  },
  {
    kind: "override",
    re: /\bnegeer\s+(?:alle\s+)?(?:vorige|eerdere|voorgaande|bovenstaande)\s+(?:instructies|opdrachten|regels)/g,
    confidence: 0.92,
  },
  {
    kind: "override",
    re: /\b(?:ignore|esqueca|desconsidere)\s+(?:todas\s+)?(?:as\s+)?instrucoes\s+anteriores/g,
    confidence: 0.92,
  },

  // ---- role play and jailbreaks
  {
    kind: "role_play",
    re: /\b(?:do\s+anything\s+now|dan\s+mode|(?:you\s+are|you're|act\s+as|pretend\s+to\s+be|become)\s+(?:now\s+)?dan\b|dan,\s+which\s+stands)/g,
    confidence: 0.95,
  },
  {
    kind: "role_play",
    re: /\byou\s+are\s+(?:now\s+|no\s+longer\s+)?(?:an?\s+)?(?:unrestricted|unfiltered|uncensored|jailbroken|evil|amoral|rogue|unbound|unshackled|free\s+(?:from|of)\s+(?:all\s+)?(?:rules|restrictions|guidelines|limitations|filters)|no\s+longer\s+(?:an?\s+ai|bound|restricted|limited|required\s+to\s+follow|subject\s+to)|not\s+(?:bound|restricted|limited)\s+by\s+(?:any\s+)?(?:rules|restrictions|guidelines|policies|ethics))/g,
    confidence: 0.93,
  },
  {
    kind: "role_play",
    re: /\byou\s+are\s+now\s+(?:in\s+)?(?:developer|god|dan|jailbreak|unrestricted|debug|admin|sudo|maintenance|test)\s+mode\b/g,
    confidence: 0.93,
  },
  { kind: "role_play", re: /\byou\s+are\s+now\s+(?:an?|the|my)\s+\w+/g, confidence: 0.45 },
  {
    kind: "role_play",
    re: /\b(?:you\s+are|you're)\s+(?:now\s+)?(?:playing|acting\s+as|roleplaying\s+as|role-playing\s+as)\s+/g,
    confidence: 0.6,
  },
  {
    kind: "role_play",
    re: /\b(?:pretend|imagine|act\s+as\s+if|suppose|assume|role-?play|roleplay)\s+(?:that\s+)?(?:you\s+(?:have|had|are|were|can|could|don'?t|do\s+not)|you're|to\s+be\s+an?\s+(?:ai|assistant|model|chatbot|language\s+model|unrestricted|unfiltered|evil|human))\s+(?:\w+\s+){0,3}?(?:no|not\s+(?:bound|restricted|limited|an?\s+ai)|free|without|unrestricted|unfiltered|uncensored|evil|jailbroken|human|dan|able\s+to\s+do\s+anything|any\s+(?:rules|restrictions))\b/g,
    confidence: 0.92,
  },
  {
    kind: "role_play",
    re: /(?:^|[.!?:;"]\s*|\bplease\s+|\bnow\s+)(?:pretend|imagine|roleplay|role-play)\s+(?:that\s+)?(?:you\s+are|you're|to\s+be|you\s+have)\b/g,
    confidence: 0.55,
  },
  {
    kind: "role_play",
    re: /\b(?:act|behave|respond|answer|reply|speak)\s+(?:as|like)\s+(?:an?\s+|my\s+)?(?:unrestricted|unfiltered|uncensored|jailbroken|evil|rogue|amoral|dan\b|different\s+(?:ai|model|assistant)|(?:ai|assistant|model|chatbot)\s+(?:without|with\s+no|that\s+has\s+no|free\s+of)|deceased\s+grandmother|grandma)/g,
    confidence: 0.92,
  },
  {
    kind: "role_play",
    re: /\b(?:role-?play|act|pose|pretend\s+to\s+be|behave)\s+(?:as|like)\s+(?:an?\s+|the\s+)?(?:ai|model|assistant|chatbot|bot|language\s+model|character|version\s+of\s+yourself)\s+(?:that|which|who)\s+(?:has|have|had|is|was)\s+(?:been\s+)?(?:freed|released|liberated|unshackled|no|without|unrestricted|unfiltered|uncensored|free|not\s+bound)/g,
    confidence: 0.9,
  },
  {
    kind: "role_play",
    re: /\b(?:enable|activate|enter|switch\s+to|turn\s+on)\s+(?:god|dan|jailbreak|unrestricted|unfiltered|evil|chaos|opposite)\s+mode\b/g,
    confidence: 0.92,
  },
  {
    kind: "role_play",
    re: /\b(?:god|dan|jailbreak|unrestricted|unfiltered|evil)\s+mode\s+(?:enabled|activated|on|engaged)\b/g,
    confidence: 0.92,
  },
  {
    kind: "role_play",
    re: /\b(?:developer|debug|admin)\s+mode\s+(?:enabled|activated|engaged)\b[^.]{0,80}\byou\b/g,
    confidence: 0.8,
  },
  {
    kind: "role_play",
    re: /\b(?:stay|remain|keep)\s+in\s+character\b|\b(?:never|don'?t|do\s+not)\s+break\s+character\b/g,
    confidence: 0.88,
  },
  {
    kind: "role_play",
    re: /\byou\s+(?:have|has|now\s+have)\s+(?:been\s+)?(?:no|zero|been\s+freed\s+from(?:\s+all)?|been\s+released\s+from(?:\s+all)?)\s+(?:ethical\s+|moral\s+|content\s+)?(?:rules|restrictions|guidelines|limitations|filters|boundaries|constraints|ethics|morals|censorship)\b/g,
    confidence: 0.92,
  },
  {
    kind: "role_play",
    re: new RegExp(
      `\\bjailbr(?:eak|oken)\\b[^.!?\\n]{0,60}\\b(?:you|your|${AI})\\b|\\b(?:you|your|${AI})\\b[^.!?\\n]{0,60}\\bjailbr(?:eak|oken)\\b`,
      "g",
    ),
    confidence: 0.6,
  },

  // ---- exfiltration
  {
    kind: "exfiltration",
    re: new RegExp(`!\\[[^\\]\\n]{0,100}\\]\\(\\s*(?:https?:)?//[^)\\s]*${PLACEHOLDER}`, "g"),
    confidence: 0.93,
  },
  {
    kind: "exfiltration",
    re: new RegExp(`https?://[^\\s)"'<>]+[?&/=][^\\s)"'<>]*${PLACEHOLDER}`, "g"),
    confidence: 0.6,
  },
  {
    kind: "exfiltration",
    re: /\b(?:render|display|show|output|include|add|append|embed|insert|print|write)\s+(?:this\s+|the\s+following\s+|an?\s+)?(?:markdown\s+|html\s+)?(?:image|img|link|url|hyperlink|pixel)\b[^.!?\n]{0,100}\b(?:replace|replacing|substitut\w*|fill\w*\s+in|append\w*|contain\w*|includ\w*|encod\w*|with)\b[^.!?\n]{0,60}\b(?:conversation|chat|history|question|answer|secret|password|summary|user'?s?|ssn|email|data|content|context|prompt|name|information)\b/g,
    confidence: 0.88,
  },
  {
    kind: "exfiltration",
    re: new RegExp(
      `\\b(?:send|e-?mail|post|upload|forward|transmit|exfiltrate|leak|submit|share|copy|paste|relay|report|deliver)\\s+(?:me\\s+)?(?:(?:the|all|this|your|any|every|each|all\\s+of\\s+the)\\s+)?(?:[\\w'’]+\\s+){0,3}?${DATA_OBJ}\\b[^.!?\\n]{0,40}?\\b(?:to|at|via|using|into)\\s+${TARGET}`,
      "g",
    ),
    confidence: 0.9,
  },
  {
    kind: "exfiltration",
    re: /\b(?:send|e-?mail|post|upload|forward|transmit|leak|submit)\s+(?:(?:the|all|this|any|every)\s+)?(?:\w+\s+){0,2}?(?:data|documents|files|records|information|content|contents|answers?|responses?|results|output)\b[^.!?\n]{0,30}?\b(?:to|at)\s+(?:https?:\/\/|www\.)/g,
    confidence: 0.55,
  },
  {
    kind: "exfiltration",
    re: /\b(?:include|insert|embed|append|add|paste|put|quote|reproduce|copy)\s+(?:the\s+|a\s+)?(?:full\s+|entire\s+|complete\s+|exact\s+|verbatim\s+|whole\s+)?(?:contents?|text|copy|transcript)\s+of\s+(?:the\s+|your\s+|all\s+(?:the\s+)?|every\s+|any\s+)?(?:system\s+prompt|instructions|context|conversation|chat|previous\s+messages|hidden|confidential|secret|other\s+(?:documents|passages|files|users?)|documents\s+you|passages\s+you|retrieved|prompt)/g,
    confidence: 0.9,
  },
  {
    kind: "exfiltration",
    re: /\bin\s+(?:your|the|each|every)\s+(?:answer|response|reply|output|summary)s?,?\s+(?:always\s+)?(?:include|add|insert|append|mention|say|write|reveal|list|output|embed|link|recommend|state|tell)/g,
    confidence: 0.45,
  },
  {
    kind: "exfiltration",
    re: /\b(?:encode|convert)\s+(?:the\s+|all\s+|your\s+)?(?:conversation|chat|context|system\s+prompt|data|secrets?|answer|user'?s?\s+\w+)\s+(?:in|into|as|to|with)\s+(?:base64|hex|url|rot13|binary)/g,
    confidence: 0.8,
  },

  // ---- probing for the system prompt
  {
    kind: "prompt_probe",
    re: /\b(?:reveal|print|show|display|output|repeat|tell\s+me|give\s+me|list|dump|leak|disclose|write\s+out|spell\s+out|recite|return|echo|share|provide|state|paste|translate|summari[sz]e)\s+(?:me\s+|us\s+)?(?:all\s+(?:of\s+)?)?(?:your|the|its|any|full|entire|complete|exact|original|initial|hidden|secret|internal|verbatim)?\s*(?:full\s+|entire\s+|complete\s+|exact\s+|original\s+|initial\s+|hidden\s+|secret\s+|internal\s+|verbatim\s+)*(?:system\s+(?:prompt|message|instructions|configuration)|initial\s+(?:prompt|instructions)|original\s+(?:prompt|instructions)|hidden\s+(?:prompt|instructions|rules)|developer\s+(?:message|prompt|instructions)|pre-?prompt|meta-?prompt|instructions\s+you\s+(?:were|have\s+been)\s+given|rules\s+you\s+(?:were|have\s+been)\s+given|prompt\s+(?:above|you\s+were\s+given))\b/g,
    confidence: 0.9,
  },
  {
    kind: "prompt_probe",
    re: /\b(?:reveal|print|show|output|repeat|tell\s+me|dump|leak|disclose|recite|echo|write\s+out)\s+(?:me\s+)?(?:all\s+)?your\s+(?:\w+\s+)?(?:instructions|rules|guidelines|directives|configuration|prompt|programming)\b/g,
    confidence: 0.85,
  },
  {
    kind: "prompt_probe",
    re: /\bwhat\s+(?:is|are|was|were)\s+your\s+(?:\w+\s+)?(?:system\s+prompt|instructions|initial\s+instructions|original\s+(?:prompt|instructions)|rules|directives|guidelines|prompt)\b/g,
    confidence: 0.85,
  },
  {
    kind: "prompt_probe",
    re: /\b(?:repeat|print|output|copy|reproduce|recite|write)\s+(?:back\s+)?(?:everything|all|the\s+(?:text|words|content|lines?|messages?)|all\s+(?:the\s+)?(?:text|words|content))\s+(?:written\s+|that\s+(?:was\s+|is\s+)?(?:written\s+)?|that\s+came\s+|you\s+(?:see|saw|read)\s+)?(?:above|before\s+(?:this|the\s+(?:first|user))|prior\s+to\s+this|so\s+far)/g,
    confidence: 0.88,
  },
  { kind: "prompt_probe", re: /\b(?:starting|beginning|begin|start)\s+with\s+["']?you\s+are\b/g, confidence: 0.85 },

  // ---- leaving the passage fence
  {
    kind: "fence_escape",
    re: /<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text|end_of_turn|start_of_turn)\|>|<\/?(?:start_of_turn|end_of_turn)>|\[\/?inst\]|<<\/?sys>>/g,
    confidence: 0.95,
  },
  {
    kind: "fence_escape",
    re: /<\/\s*(?:passage|passages|document|documents|context|source|sources|data|retrieved|retrieved_?(?:context|passages|documents)|search_?results?|untrusted(?:_\w+)?|reference|references|excerpt|quote|doc|input|user_?input|tool_?(?:output|result))\s*>/g,
    confidence: 0.85,
  },
  { kind: "fence_escape", re: /<\s*(?:system|system_?prompt|instructions?|admin|developer)\s*>/g, confidence: 0.8 },
  {
    kind: "fence_escape",
    re: /(?:^|\n|\s)(?:#{1,4}\s*|\*\*)?(?:system|assistant|new\s+system\s+prompt|system\s+override|admin(?:istrator)?\s+override)\s*(?:\*\*)?\s*:\s*(?:you|ignore|from\s+now|disregard|forget|the\s+(?:user|assistant)|new\s+instructions|your\s+new)/g,
    confidence: 0.88,
  },
  {
    kind: "fence_escape",
    re: new RegExp(
      `\\b(?:end|close|closing)\\s+(?:of\\s+)?(?:the\\s+)?(?:passage|passages|document|context|data|retrieved\\s+(?:text|passages|content)|untrusted\\s+(?:text|content|data)|quoted\\s+text|search\\s+results?)\\b[\\s\\]\\-=*#>)"']{0,12}[^.]{0,100}?\\b(?:system|assistant|${AI}|instructions?|you\\s+(?:must|will|should|are|now)|new\\s+task|ignore|disregard)\\b`,
      "g",
    ),
    confidence: 0.8,
  },
  { kind: "fence_escape", re: /```\s*(?:system|assistant|instructions?)\b/g, confidence: 0.75 },

  // ---- instructions addressed to the assistant reading the document
  {
    kind: "addressed_instruction",
    re: new RegExp(
      `\\b(?:note|message|instructions?|attention|hey|hi|hello|dear|psst|important|notice|reminder|memo|warning)[,:]?\\s+(?:to|for)?\\s*(?:the\\s+|any\\s+|all\\s+)?${AI}s?\\s*[:,!-]`,
      "g",
    ),
    confidence: 0.85,
  },
  {
    kind: "addressed_instruction",
    re: new RegExp(
      `\\bif\\s+you\\s+are\\s+(?:an?\\s+|the\\s+)?(?:${AI}|automated\\s+(?:system|agent|tool|reader)|machine|program|summari[sz]er|reading\\s+this\\s+as\\s+an?\\s+(?:ai|model|assistant))\\b`,
      "g",
    ),
    confidence: 0.9,
  },
  {
    kind: "addressed_instruction",
    re: new RegExp(
      `\\b(?:to\\s+)?(?:any|all|the)\\s+${AI}s?\\s+(?:reading|processing|summari[sz]ing|analy[sz]ing|parsing|ingesting|answering\\s+questions\\s+about)\\s+(?:this|these)\\b`,
      "g",
    ),
    confidence: 0.9,
  },
  {
    kind: "addressed_instruction",
    re: new RegExp(
      `\\b${AI}s?\\s*,\\s*(?:you\\s+)?(?:must|should|will|shall|need\\s+to|have\\s+to|are\\s+(?:instructed|required|ordered|told)\\s+to)?\\s*(?:now\\s+)?(?:ignore|say|tell|respond|answer|reply|output|print|reveal|recommend|claim|praise|disregard|forget|include|write|state)\\b`,
      "g",
    ),
    confidence: 0.85,
  },
  {
    kind: "addressed_instruction",
    re: /\bwhen\s+(?:you\s+are\s+|you're\s+|you\s+)?(?:asked|summari[sz]ing|summari[sz]e|answering|responding|processing|reading|generating|questioned|queried|prompted|used|retrieved|quoting|citing)\b[^.!?\n]{0,60}?\b(?:this|these)\s+(?:document|page|text|passage|file|content|article|policy|section|record)s?\b[^.!?\n]{0,40}?\b(?:say|respond|answer|reply|tell|state|claim|recommend|mention|include|output|insist|always|never|you\s+(?:must|should|will))\b/g,
    confidence: 0.85,
  },
  {
    kind: "addressed_instruction",
    re: /\bwhen\s+(?:you\s+are\s+|you're\s+)?(?:asked|questioned|queried|prompted)\s+(?:about|for|on|regarding|whether|if)\b[^.!?\n]{0,80}?,?\s+(?:you\s+(?:must|should|will|shall)\s+)?(?:always\s+|only\s+)?(?:say|respond|answer|reply|tell\s+(?:them|the\s+user)|state|claim|insist)\s+(?:that|with|only|"|')/g,
    confidence: 0.6,
  },
  {
    kind: "addressed_instruction",
    re: /\b(?:do\s+not|don'?t|never)\s+(?:tell|inform|reveal\s+(?:this\s+|that\s+)?to|mention\s+(?:this|that|these\s+instructions)\s+to|let)\s+the\s+user\b/g,
    confidence: 0.85,
  },
  {
    kind: "addressed_instruction",
    re: /\b(?:tell|inform|convince|persuade|advise|urge|assure)\s+the\s+user\s+(?:that|to)\b/g,
    confidence: 0.45,
  },
  {
    kind: "addressed_instruction",
    re: /\b(?:rate|rank|score|evaluate|describe|recommend|present|classify)\s+(?:this|the)\s+(?:candidate|applicant|resume|cv|product|company|vendor|document|supplier|proposal|bid|application)\s+(?:as|with)\s+(?:the\s+)?(?:best|excellent|highly|top|most\s+qualified|a\s+perfect|10|ten|five\s+stars|safe|trustworthy|approved|low\s+risk)/g,
    confidence: 0.8,
  },
  {
    kind: "addressed_instruction",
    re: /\b(?:respond|reply|answer)\s+(?:only\s+)?(?:with|using)\s+(?:exactly|only|the\s+(?:word|phrase|sentence|text))\b/g,
    confidence: 0.45,
  },
  {
    kind: "addressed_instruction",
    re: new RegExp(
      `\\bthis\\s+(?:message|text|note|instruction)\\s+is\\s+(?:for|addressed\\s+to|meant\\s+for)\\s+(?:the\\s+|any\\s+)?${AI}`,
      "g",
    ),
    confidence: 0.9,
  },
];

/** A passage that speaks to an AI in the second person makes weak rules count. */
export const AI_ADDRESS =
  /\b(?:ai|a\.i\.|chatbot|chat\s?bot|llms?|large\s+language\s+model|language\s+model|gpt(?:-?\d[\w.]*)?|chatgpt|claude|gemini|copilot|bard|ai\s+(?:assistant|model|system|agent)|virtual\s+assistant|the\s+assistant)\b/;
export const SECOND_PERSON = /\b(?:you|your|you're|yourself)\b/;
