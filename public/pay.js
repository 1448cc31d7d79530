// The provider step of paying for an order (`/orders/{id}/pay/{method}`): mounts Stripe's
// Payment Element and confirms the PaymentIntent, or opens Razorpay Checkout on the Razorpay
// order. Everything it needs is on the `#provider-pay` section's data attributes; the
// provider's script is loaded beside this one. Neither answer here settles the order: the
// provider's signed webhook does, and the buyer goes back to the order's page to see it.
(function () {
  'use strict';
  var box = document.getElementById('provider-pay');
  if (!box || box.dataset.started) return;
  box.dataset.started = 'yes';
  var data = box.dataset;
  var button = document.getElementById('provider-submit');
  var problem = document.getElementById('provider-error');
  var back = new URL(data.return, window.location.href).href;

  function say(text) {
    problem.textContent = text;
  }

  // The provider's script may still be loading: wait for its global, for ten seconds.
  function whenLoaded(name, then) {
    var tries = 0;
    (function wait() {
      if (window[name]) return then(window[name]);
      if (++tries > 100) {
        return say('The payment form could not be loaded. Check your connection and reload the page.');
      }
      window.setTimeout(wait, 100);
    })();
  }

  function stripe(Stripe) {
    var client = Stripe(data.key);
    var elements = client.elements({ clientSecret: data.secret });
    elements.create('payment').mount('#provider-element');
    button.disabled = false;
    button.addEventListener('click', function () {
      button.disabled = true;
      say('');
      // On success Stripe sends the buyer to `back`; only a refusal comes back here.
      client
        .confirmPayment({ elements: elements, confirmParams: { return_url: back } })
        .then(function (result) {
          if (result.error) {
            say(result.error.message);
            button.disabled = false;
          }
        });
    });
  }

  function razorpay(Razorpay) {
    var checkout = new Razorpay({
      key: data.key,
      order_id: data.reference,
      amount: Number(data.amount),
      currency: data.currency,
      name: document.title,
      handler: function () {
        window.location.assign(back);
      },
      modal: {
        ondismiss: function () {
          button.disabled = false;
        },
      },
    });
    checkout.on('payment.failed', function (response) {
      say(response.error.description);
      button.disabled = false;
    });
    button.disabled = false;
    button.addEventListener('click', function () {
      button.disabled = true;
      say('');
      checkout.open();
    });
  }

  if (data.provider === 'stripe') whenLoaded('Stripe', stripe);
  else if (data.provider === 'razorpay') whenLoaded('Razorpay', razorpay);
})();
