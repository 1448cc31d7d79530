// A local stand-in for Stripe and Razorpay in the browser tests (this machine cannot reach
// them): their server APIs as Agora calls them, the browser scripts Agora's pay page loads
// (the tests route https://js.stripe.com, https://api.stripe.com, checkout.razorpay.com and
// api.razorpay.com here), and their signed webhooks back to Agora when a payment is confirmed.
// It speaks only what the documented formats need; it is not a payment simulator.
//
// Environment: PORT (where to listen), AGORA_URL (where webhooks go), and the secrets Agora
// was given (STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, RAZORPAY_KEY_ID, RAZORPAY_KEY_SECRET,
// RAZORPAY_WEBHOOK_SECRET).
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';

const env = process.env;
const intents = new Map(); // PaymentIntent id → its client secret
let next = 1;

function sign(secret, text) {
  return createHmac('sha256', secret).update(text).digest('hex');
}

async function stripeWebhook(event) {
  const body = JSON.stringify(event);
  const t = Math.floor(Date.now() / 1000);
  const signature = sign(env.STRIPE_WEBHOOK_SECRET, `${t}.${body}`);
  const response = await fetch(`${env.AGORA_URL}/api/v1/webhooks/stripe`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Stripe-Signature': `t=${t},v1=${signature}` },
    body,
  });
  if (!response.ok) throw new Error(`Agora answered the Stripe webhook with ${response.status}`);
}

async function razorpayWebhook(event, id) {
  const body = JSON.stringify(event);
  const response = await fetch(`${env.AGORA_URL}/api/v1/webhooks/razorpay`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-Razorpay-Signature': sign(env.RAZORPAY_WEBHOOK_SECRET, body),
      'X-Razorpay-Event-Id': id,
    },
    body,
  });
  if (!response.ok) throw new Error(`Agora answered the Razorpay webhook with ${response.status}`);
}

// Stripe.js as the pay page uses it: Stripe(key).elements({clientSecret}).create('payment')
// .mount(selector), and confirmPayment({elements, confirmParams: {return_url}}).
const STRIPE_JS = `window.Stripe = function (key) {
  return {
    elements: function (options) {
      return {
        clientSecret: options.clientSecret,
        create: function () {
          return { mount: function (selector) {
            var label = document.createElement('label');
            label.textContent = 'Card number (Stripe) ';
            var input = document.createElement('input');
            input.id = 'stripe-card';
            label.appendChild(input);
            document.querySelector(selector).appendChild(label);
          } };
        },
      };
    },
    confirmPayment: function (params) {
      var secret = params.elements.clientSecret;
      var intent = secret.split('_secret')[0];
      var body = new URLSearchParams({ client_secret: secret, key: key,
        'payment_method_data[card][number]': document.getElementById('stripe-card').value });
      return fetch('https://api.stripe.com/v1/payment_intents/' + intent + '/confirm', { method: 'POST', body: body })
        .then(function (response) { return response.json().then(function (json) {
          if (!response.ok) return { error: json.error };
          var back = new URL(params.confirmParams.return_url);
          back.searchParams.set('payment_intent', intent);
          back.searchParams.set('redirect_status', 'succeeded');
          window.location.assign(back.href);
          return {};
        }); });
    },
  };
};`;

// Razorpay Checkout as the pay page uses it: new Razorpay(options), .on('payment.failed'),
// .open(); a dialog stands in for Razorpay's own.
const RAZORPAY_JS = `window.Razorpay = function (options) {
  var failed = function () {};
  this.on = function (name, handler) { if (name === 'payment.failed') failed = handler; };
  this.open = function () {
    var dialog = document.createElement('div');
    dialog.setAttribute('role', 'dialog');
    dialog.setAttribute('aria-label', 'Razorpay Checkout');
    [['Pay with UPI', 'captured'], ['Fail the payment', 'failed']].forEach(function (choice) {
      var button = document.createElement('button');
      button.type = 'button';
      button.textContent = choice[0];
      button.addEventListener('click', function () {
        var body = new URLSearchParams({ order_id: options.order_id, key: options.key, outcome: choice[1] });
        fetch('https://api.razorpay.com/v1/standin/pay', { method: 'POST', body: body })
          .then(function (response) { return response.json(); })
          .then(function (json) {
            if (json.error) return failed({ error: json.error });
            dialog.remove();
            options.handler(json);
          });
      });
      dialog.appendChild(button);
    });
    document.body.appendChild(dialog);
  };
};`;

function read(request) {
  return new Promise((resolve, reject) => {
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
      if (text.length > 100_000) reject(new Error('body too large'));
    });
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}

function form(text) {
  return Object.fromEntries(new URLSearchParams(text));
}

const routes = [
  ['GET', /^\/health$/, async () => [200, { ok: true }]],
  ['GET', /^\/stripe\.js$/, async () => [200, STRIPE_JS, 'text/javascript']],
  ['GET', /^\/razorpay\.js$/, async () => [200, RAZORPAY_JS, 'text/javascript']],
  // Stripe's server API, as Agora calls it with the secret key.
  ['POST', /^\/v1\/payment_intents$/, async (request, body) => {
    if (request.headers.authorization !== `Bearer ${env.STRIPE_SECRET_KEY}`) return [401, { error: { message: 'Invalid API Key provided' } }];
    const id = `pi_e2e_${next++}`;
    const secret = `${id}_secret_${Math.random().toString(36).slice(2)}`;
    intents.set(id, secret);
    const fields = form(body);
    return [200, { id, object: 'payment_intent', amount: Number(fields.amount), currency: fields.currency, client_secret: secret, status: 'requires_payment_method' }];
  }],
  ['POST', /^\/v1\/refunds$/, async (request) => {
    if (request.headers.authorization !== `Bearer ${env.STRIPE_SECRET_KEY}`) return [401, { error: { message: 'Invalid API Key provided' } }];
    return [200, { id: `re_e2e_${next++}`, object: 'refund', status: 'succeeded' }];
  }],
  // Stripe.js confirming a PaymentIntent in the browser: 4000 0000 0000 0002 is declined.
  ['POST', /^\/v1\/payment_intents\/([\w]+)\/confirm$/, async (request, body, [, id]) => {
    const fields = form(body);
    if (!intents.has(id) || intents.get(id) !== fields.client_secret) return [404, { error: { message: 'No such payment_intent' } }];
    const declined = fields['payment_method_data[card][number]'].replace(/\s/g, '') === '4000000000000002';
    const event = declined
      ? { id: `evt_${next++}`, type: 'payment_intent.payment_failed', data: { object: { id, last_payment_error: { code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' } } } }
      : { id: `evt_${next++}`, type: 'payment_intent.succeeded', data: { object: { id } } };
    await stripeWebhook(event);
    return declined ? [402, { error: { type: 'card_error', code: 'card_declined', message: 'Your card was declined.' } }] : [200, { id, status: 'succeeded' }];
  }],
  // Razorpay's server API, with the key id and secret as basic auth.
  ['POST', /^\/v1\/orders$/, async (request, body) => {
    const expected = `Basic ${Buffer.from(`${env.RAZORPAY_KEY_ID}:${env.RAZORPAY_KEY_SECRET}`).toString('base64')}`;
    if (request.headers.authorization !== expected) return [401, { error: { description: 'Authentication failed' } }];
    const order = JSON.parse(body);
    return [200, { id: `order_e2e_${next++}`, entity: 'order', amount: order.amount, currency: order.currency, status: 'created' }];
  }],
  ['POST', /^\/v1\/payments\/([\w]+)\/refund$/, async () => [200, { id: `rfnd_e2e_${next++}`, entity: 'refund', status: 'processed' }]],
  // Razorpay Checkout's stand-in dialog paying (or failing) an order in the browser.
  ['POST', /^\/v1\/standin\/pay$/, async (request, body) => {
    const fields = form(body);
    const payment = `pay_e2e_${next++}`;
    const captured = fields.outcome === 'captured';
    const entity = captured
      ? { id: payment, order_id: fields.order_id, status: 'captured' }
      : { id: payment, order_id: fields.order_id, status: 'failed', error_code: 'BAD_REQUEST_ERROR', error_description: 'Payment failed at the bank.' };
    await razorpayWebhook({ entity: 'event', event: captured ? 'payment.captured' : 'payment.failed', payload: { payment: { entity } } }, `evt_${next++}`);
    return captured
      ? [200, { razorpay_payment_id: payment, razorpay_order_id: fields.order_id, razorpay_signature: 'unused' }]
      : [200, { error: { code: 'BAD_REQUEST_ERROR', description: 'Payment failed at the bank.' } }];
  }],
];

createServer(async (request, response) => {
  const path = new URL(request.url, 'http://stand-in').pathname;
  let answer = [404, { error: { message: 'Unknown path' } }];
  try {
    const body = await read(request);
    for (const [method, pattern, handle] of routes) {
      const match = request.method === method && path.match(pattern);
      if (match) {
        answer = await handle(request, body, match);
        break;
      }
    }
  } catch (error) {
    answer = [500, { error: { message: String(error) } }];
  }
  const [status, payload, type = 'application/json'] = answer;
  response.writeHead(status, { 'Content-Type': type, 'Access-Control-Allow-Origin': '*' });
  response.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
}).listen(Number(env.PORT), '127.0.0.1');
